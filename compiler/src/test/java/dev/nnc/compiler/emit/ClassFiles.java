package dev.nnc.compiler.emit;

import java.io.ByteArrayInputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import javax.tools.ToolProvider;

/**
 * Compiles generated sources as a user's build does (javac {@code -g}, so local variable names
 * are in the constant pool too) and reads what the JVM limits in the class files: the size of
 * the constant pool and of each method's bytecode.
 */
final class ClassFiles {
  /** HotSpot does not JIT-compile methods with more bytecode than this. */
  static final int HUGE_METHOD_LIMIT = 8000;

  private ClassFiles() {}

  /** The class files of {@code sources} (qualified name to code), compiled with {@code -g}. */
  static Map<String, byte[]> compileWithDebugInfo(Map<String, String> sources) {
    try {
      Path dir = Files.createTempDirectory("nnc-classes");
      List<String> args = new ArrayList<>(List.of("--release", "11", "-g", "-proc:none",
          "-classpath", InMemoryJavaCompiler.runtimeClasspath(), "-d", dir.toString()));
      for (Map.Entry<String, String> e : sources.entrySet()) {
        Path file = dir.resolve("src").resolve(e.getKey().replace('.', '/') + ".java");
        Files.createDirectories(file.getParent());
        Files.writeString(file, e.getValue());
        args.add(file.toString());
      }
      int status = ToolProvider.getSystemJavaCompiler().run(null, null, null,
          args.toArray(new String[0]));
      if (status != 0) {
        throw new AssertionError("javac -g failed with status " + status);
      }
      Map<String, byte[]> out = new LinkedHashMap<>();
      for (String name : sources.keySet()) {
        out.put(name, Files.readAllBytes(dir.resolve(name.replace('.', '/') + ".class")));
      }
      try (Stream<Path> files = Files.walk(dir)) {
        files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
      }
      return out;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The {@code constant_pool_count} of a class file (one more than its entries). */
  static int constantPoolCount(byte[] classFile) {
    return ((classFile[8] & 0xff) << 8) | (classFile[9] & 0xff);
  }

  /**
   * The {@code code_length} of each method's {@code Code} attribute, by method name (the
   * largest of overloads).
   */
  static Map<String, Integer> codeLengths(byte[] classFile) throws IOException {
    DataInputStream in = new DataInputStream(new ByteArrayInputStream(classFile));
    if (in.readInt() != 0xCAFEBABE) {
      throw new IOException("not a class file");
    }
    in.readUnsignedShort(); // minor
    in.readUnsignedShort(); // major
    int poolCount = in.readUnsignedShort();
    String[] utf8 = new String[poolCount];
    for (int i = 1; i < poolCount; i++) {
      int tag = in.readUnsignedByte();
      switch (tag) {
        case 1 -> utf8[i] = in.readUTF();
        case 3, 4 -> in.skipNBytes(4); // Integer, Float
        case 5, 6 -> { // Long, Double take two slots
          in.skipNBytes(8);
          i++;
        }
        case 7, 8, 16, 19, 20 -> in.skipNBytes(2); // Class, String, MethodType, Module, Package
        case 9, 10, 11, 12, 17, 18 -> in.skipNBytes(4); // refs, NameAndType, (Invoke)Dynamic
        case 15 -> in.skipNBytes(3); // MethodHandle
        default -> throw new IOException("unknown constant pool tag " + tag + " at " + i);
      }
    }
    in.skipNBytes(6); // access flags, this class, super class
    in.skipNBytes(2L * in.readUnsignedShort()); // interfaces
    int fields = in.readUnsignedShort();
    for (int f = 0; f < fields; f++) {
      in.skipNBytes(6); // access, name, descriptor
      skipAttributes(in);
    }
    Map<String, Integer> out = new LinkedHashMap<>();
    int methods = in.readUnsignedShort();
    for (int m = 0; m < methods; m++) {
      in.readUnsignedShort(); // access
      String name = utf8[in.readUnsignedShort()];
      in.readUnsignedShort(); // descriptor
      int attributes = in.readUnsignedShort();
      for (int a = 0; a < attributes; a++) {
        String attribute = utf8[in.readUnsignedShort()];
        int length = in.readInt();
        if (attribute.equals("Code")) {
          in.readUnsignedShort(); // max_stack
          in.readUnsignedShort(); // max_locals
          out.merge(name, in.readInt(), Math::max);
          in.skipNBytes(length - 8L);
        } else {
          in.skipNBytes(length);
        }
      }
    }
    return out;
  }

  private static void skipAttributes(DataInputStream in) throws IOException {
    int count = in.readUnsignedShort();
    for (int a = 0; a < count; a++) {
      in.readUnsignedShort();
      in.skipNBytes(in.readInt() & 0xFFFFFFFFL);
    }
  }

  /** Defines {@code classes} in a fresh loader and returns class {@code name}. */
  static Class<?> load(Map<String, byte[]> classes, String name) {
    ClassLoader loader = new ClassLoader(ClassFiles.class.getClassLoader()) {
      @Override
      protected Class<?> findClass(String n) throws ClassNotFoundException {
        byte[] b = classes.get(n);
        if (b == null) {
          throw new ClassNotFoundException(n);
        }
        return defineClass(n, b, 0, b.length);
      }
    };
    try {
      return loader.loadClass(name);
    } catch (ClassNotFoundException e) {
      throw new AssertionError(e);
    }
  }
}
