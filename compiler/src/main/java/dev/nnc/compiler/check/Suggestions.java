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
      return "";
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

  /** Levenshtein distance, giving up (returning {@code cap}) once it must exceed {@code cap}. */
  static int distance(String a, String b, int cap) {
    if (Math.abs(a.length() - b.length()) >= cap || a.length() > 64 || b.length() > 64) {
      return cap;
    }
    int[] prev = new int[b.length() + 1];
    int[] cur = new int[b.length() + 1];
    for (int j = 0; j <= b.length(); j++) {
      prev[j] = j;
    }
    for (int i = 1; i <= a.length(); i++) {
      cur[0] = i;
      for (int j = 1; j <= b.length(); j++) {
        int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
        cur[j] = Math.min(Math.min(cur[j - 1] + 1, prev[j] + 1), prev[j - 1] + cost);
      }
      int[] t = prev;
      prev = cur;
      cur = t;
    }
    return Math.min(cap, prev[b.length()]);
  }
}
