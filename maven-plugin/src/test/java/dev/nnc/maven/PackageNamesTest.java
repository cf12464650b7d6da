package dev.nnc.maven;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/** Subfolders of the source directory become valid Java package segments. */
class PackageNamesTest {
  @Test
  void foldersExtendTheConfiguredPackage() {
    assertEquals("com.example.nn", PackageNames.of("com.example.nn", List.of()));
    assertEquals("com.example.nn.a.b", PackageNames.of("com.example.nn", List.of("a", "b")));
    assertEquals("a", PackageNames.of("", List.of("a")), "the unnamed package has no leading dot");
  }

  @Test
  void folderNamesAreSanitized() {
    assertEquals("my_models", PackageNames.segment("my-models"));
    assertEquals("v1_2", PackageNames.segment("v1.2"));
    assertEquals("_2d", PackageNames.segment("2d"));
    assertEquals("int_", PackageNames.segment("int"));
    assertEquals("true_", PackageNames.segment("true"));
    assertEquals("__", PackageNames.segment("_"));
    assertEquals("with_space", PackageNames.segment("with space"));
    assertEquals("Models", PackageNames.segment("Models"), "case is kept, as in the folder");
    assertEquals("caf\u00e9", PackageNames.segment("caf\u00e9"));
  }

  @Test
  void everySanitizedSegmentIsAValidPackageName() {
    for (String folder : List.of("a", "my-models", "2d", "int", "_", "a.b", "$x", "-", "\u00e9t\u00e9")) {
      String segment = PackageNames.segment(folder);
      assertTrue(PackageNames.isValid(segment), folder + " -> " + segment);
    }
  }

  @Test
  void validatesConfiguredPackageNames() {
    assertTrue(PackageNames.isValid(""));
    assertTrue(PackageNames.isValid("com.example.nn"));
    assertFalse(PackageNames.isValid("com..example"));
    assertFalse(PackageNames.isValid("com.example."));
    assertFalse(PackageNames.isValid("com.int.x"), "a keyword cannot be a package segment");
    assertFalse(PackageNames.isValid("com.my-models"));
    assertFalse(PackageNames.isValid("2d"));
  }
}
