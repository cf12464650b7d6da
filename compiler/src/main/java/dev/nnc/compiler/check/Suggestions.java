package dev.nnc.compiler.check;

import java.util.Collection;

/** "Did you mean" suggestions by edit distance. */
final class Suggestions {
  private Suggestions() {}

  /** The closest candidate within a small edit distance, as {@code "; did you mean 'x'?"}, or "". */
  static String didYouMean(String name, Collection<String> candidates) {
    String best = null;
    int bestDistance = Integer.MAX_VALUE;
    if (name.length() < 3) {
      // Too short for edit distance to mean anything, but a wrong case ('w' for 'W') is clear.
      for (String candidate : candidates) {
        if (candidate.equalsIgnoreCase(name) && (best == null || candidate.compareTo(best) < 0)) {
          best = candidate;
        }
      }
      return best == null ? "" : "; did you mean '" + best + "'?";
    }
    int limit = Math.max(1, Math.min(3, name.length() / 3));
    for (String candidate : candidates) {
      int d = distance(name.toLowerCase(), candidate.toLowerCase(), limit + 1);
      if (d <= limit && (d < bestDistance || (d == bestDistance && candidate.compareTo(best) < 0))) {
        best = candidate;
        bestDistance = d;
      }
    }
    return best == null ? "" : "; did you mean '" + best + "'?";
  }

  /**
   * Edit distance counting a swap of two neighbours as one edit ({@code alpah} is one from
   * {@code alpha}); returns {@code cap} for names too different or too long to compare.
   */
  static int distance(String a, String b, int cap) {
    if (Math.abs(a.length() - b.length()) >= cap || a.length() > 64 || b.length() > 64) {
      return cap;
    }
    int[][] d = new int[a.length() + 1][b.length() + 1];
    for (int i = 0; i <= a.length(); i++) {
      d[i][0] = i;
    }
    for (int j = 0; j <= b.length(); j++) {
      d[0][j] = j;
    }
    for (int i = 1; i <= a.length(); i++) {
      for (int j = 1; j <= b.length(); j++) {
        int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
        d[i][j] = Math.min(Math.min(d[i][j - 1] + 1, d[i - 1][j] + 1), d[i - 1][j - 1] + cost);
        if (i > 1 && j > 1 && a.charAt(i - 1) == b.charAt(j - 2)
            && a.charAt(i - 2) == b.charAt(j - 1)) {
          d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
        }
      }
    }
    return Math.min(cap, d[a.length()][b.length()]);
  }
}
