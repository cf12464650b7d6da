package dev.nnc.runtime.io;

import dev.nnc.runtime.DType;
import dev.nnc.runtime.Model;
import dev.nnc.runtime.NncException;
import dev.nnc.runtime.Parameter;
import dev.nnc.runtime.Shapes;
import dev.nnc.runtime.Tensor;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Reads and writes the safetensors format: an 8-byte little-endian header length N, N bytes of
 * UTF-8 JSON ({@code {"name": {"dtype": "F32", "shape": [..], "data_offsets": [begin, end]}, ...,
 * "__metadata__": {...}}}, padded with spaces to a multiple of 8), then little-endian tensor bytes.
 * Writes are atomic ({@link AtomicFile}) and byte-identical for identical input (tensors in
 * name order). Reads validate everything before returning. In model checkpoints, optimizer state is
 * stored under the prefix {@value #OPTIMIZER_PREFIX}.
 */
public final class SafeTensors {
  /** The name prefix of optimizer-state tensors in a checkpoint. */
  public static final String OPTIMIZER_PREFIX = "optimizer/";
  private static final String METADATA = "__metadata__";
  private static final long MAX_HEADER = 100L << 20;

  private SafeTensors() {}

  /**
   * Saves the model's parameters, optional optimizer state (may be null) and metadata (may be
   * null). A parameter holding NaN or an infinity is refused (the model diverged), naming it; the
   * file is then left as it was.
   */
  public static void save(Path path, Model model, Map<String, String> metadata, Map<String, Tensor> optimizerState) {
    for (Parameter p : model.parameters()) {
      int bad = p.firstNonFinite();
      if (bad >= 0) {
        throw new NncException(path + ": not saved: parameter " + p.name() + " holds " + p.get(bad)
            + " (at index " + bad + "): the model diverged");
      }
    }
    Map<String, Tensor> tensors = new TreeMap<>();
    for (Parameter p : model.parameters()) {
      tensors.put(p.name(), p.isF64() ? Tensor.f64(p.f64(), p.shape()) : Tensor.f32(p.f32(), p.shape()));
    }
    if (optimizerState != null) {
      for (Map.Entry<String, Tensor> e : optimizerState.entrySet()) {
        tensors.put(OPTIMIZER_PREFIX + e.getKey(), e.getValue());
      }
    }
    Map<String, String> meta = new TreeMap<>();
    if (metadata != null) {
      meta.putAll(metadata);
    }
    meta.putIfAbsent("model", model.name());
    write(path, tensors, meta);
  }

  /**
   * Loads the parameters of {@code model} from {@code path}. The file must hold exactly the model's
   * parameters (same names, dtypes and shapes) with finite values, plus optional optimizer state;
   * on any problem the model is left unchanged and an {@link NncException} names the file and the
   * problem.
   */
  public static Checkpoint load(Path path, Model model) {
    return load(path, read(path), model);
  }

  /** As {@link #load(Path, Model)}, for a file already {@link #read} from {@code path}. */
  public static Checkpoint load(Path path, TensorFile file, Model model) {
    Map<String, Tensor> optimizer = new TreeMap<>();
    Map<String, Tensor> params = new TreeMap<>();
    for (Map.Entry<String, Tensor> e : file.tensors().entrySet()) {
      if (e.getKey().startsWith(OPTIMIZER_PREFIX)) {
        optimizer.put(e.getKey().substring(OPTIMIZER_PREFIX.length()), e.getValue());
      } else {
        params.put(e.getKey(), e.getValue());
      }
    }
    List<String> problems = new ArrayList<>();
    for (Parameter p : model.parameters()) {
      Tensor t = params.remove(p.name());
      if (t == null) {
        problems.add("missing tensor " + p.name());
      } else if (t.dtype() != p.dtype() || !Arrays.equals(t.shape(), p.shape())) {
        problems.add("tensor " + p.name() + " is " + t.dtype() + " " + Shapes.toString(t.shape())
            + " but the model's parameter is " + p.dtype() + " " + Shapes.toString(p.shape()));
      }
    }
    if (!params.isEmpty()) {
      problems.add("unexpected tensor(s) " + String.join(", ", params.keySet()) + " not in model " + model.name());
    }
    if (!problems.isEmpty()) {
      throw new NncException(path + ": does not match model " + model.name() + ": " + String.join("; ", problems));
    }
    for (Map.Entry<String, Tensor> e : file.tensors().entrySet()) {
      int bad = e.getValue().firstNonFinite();
      if (bad >= 0) {
        throw new NncException(path + ": tensor " + e.getKey() + " holds " + e.getValue().getDouble(bad)
            + " (at index " + bad + "): the checkpoint is of a diverged model");
      }
    }
    for (Parameter p : model.parameters()) {
      Tensor t = file.tensors().get(p.name());
      if (p.isF64()) {
        System.arraycopy(t.doubles(), 0, p.f64(), 0, p.size());
      } else {
        System.arraycopy(t.floats(), 0, p.f32(), 0, p.size());
      }
    }
    return new Checkpoint(file.metadata(), optimizer);
  }

  /**
   * Writes {@code tensors} (any names except {@code __metadata__}) and string metadata atomically,
   * by {@link AtomicFile}'s rules (a symbolic link is written through, a special file refused).
   */
  public static void write(Path path, Map<String, Tensor> tensors, Map<String, String> metadata) {
    Map<String, Tensor> sorted = new TreeMap<>(tensors);
    Map<String, Object> header = new LinkedHashMap<>();
    if (metadata != null && !metadata.isEmpty()) {
      header.put(METADATA, new TreeMap<>(metadata));
    }
    long offset = 0;
    for (Map.Entry<String, Tensor> e : sorted.entrySet()) {
      if (e.getKey().isEmpty() || e.getKey().equals(METADATA)) {
        throw new NncException(path + ": invalid tensor name '" + e.getKey() + "'");
      }
      Tensor t = e.getValue();
      long bytes = (long) t.size() * t.dtype().byteSize();
      Map<String, Object> info = new LinkedHashMap<>();
      info.put("dtype", t.dtype().name());
      List<Object> shape = new ArrayList<>();
      for (int d : t.shape()) {
        shape.add((long) d);
      }
      info.put("shape", shape);
      info.put("data_offsets", List.of(offset, offset + bytes));
      header.put(e.getKey(), info);
      offset += bytes;
    }
    StringBuilder json = new StringBuilder(Json.write(header));
    while (json.length() % 8 != 0) {
      json.append(' ');
    }
    byte[] head = json.toString().getBytes(StandardCharsets.UTF_8);
    while (head.length % 8 != 0) { // non-ASCII names: pad the byte length
      json.append(' ');
      head = json.toString().getBytes(StandardCharsets.UTF_8);
    }
    byte[] headerBytes = head;
    AtomicFile.write(path, out -> {
      out.write(ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(headerBytes.length).array());
      out.write(headerBytes);
      for (Tensor t : sorted.values()) {
        out.write(encode(t).array());
      }
    });
  }

  /** Reads and fully validates a safetensors file. */
  public static TensorFile read(Path path) {
    byte[] b = InputFile.readAllBytes(path);
    if (b.length < 8) {
      throw bad(path, "only " + b.length + " bytes, too short for the 8-byte header length");
    }
    long n = ByteBuffer.wrap(b, 0, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
    if (n < 0 || n > b.length - 8L) {
      throw bad(path, "header length " + Long.toUnsignedString(n) + " exceeds the file size " + b.length
          + " (truncated or not a safetensors file)");
    }
    if (n > MAX_HEADER) {
      throw bad(path, "header length " + n + " is larger than the 100 MB limit");
    }
    String text;
    try {
      text = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(b, 8, (int) n)).toString();
    } catch (CharacterCodingException e) {
      throw bad(path, "header is not valid UTF-8");
    }
    Object parsed;
    try {
      parsed = Json.parse(text);
    } catch (NncException e) {
      throw bad(path, "header is not valid JSON: " + e.getMessage());
    }
    if (!(parsed instanceof Map)) {
      throw bad(path, "header is not a JSON object");
    }
    int dataStart = 8 + (int) n;
    long dataLen = b.length - dataStart;
    Map<String, String> metadata = new TreeMap<>();
    Map<String, Object[]> infos = new TreeMap<>();
    for (Map.Entry<?, ?> e : ((Map<?, ?>) parsed).entrySet()) {
      String name = (String) e.getKey();
      if (name.equals(METADATA)) {
        if (!(e.getValue() instanceof Map)) {
          throw bad(path, "__metadata__ is not an object");
        }
        for (Map.Entry<?, ?> m : ((Map<?, ?>) e.getValue()).entrySet()) {
          if (!(m.getValue() instanceof String)) {
            throw bad(path, "metadata value for \"" + m.getKey() + "\" is not a string");
          }
          metadata.put((String) m.getKey(), (String) m.getValue());
        }
        continue;
      }
      infos.put(name, tensorInfo(path, name, e.getValue(), dataLen));
    }
    checkLayout(path, infos, dataLen);
    Map<String, Tensor> tensors = new TreeMap<>();
    for (Map.Entry<String, Object[]> e : infos.entrySet()) {
      Object[] info = e.getValue();
      long begin = (Long) info[2];
      tensors.put(e.getKey(), decode((DType) info[0], (int[]) info[1], b, dataStart + (int) begin));
    }
    return new TensorFile(tensors, metadata);
  }

  /** {dtype, shape, begin, end} of one header entry, checked against the data length. */
  private static Object[] tensorInfo(Path path, String name, Object value, long dataLen) {
    String where = "tensor \"" + name + "\"";
    if (!(value instanceof Map)) {
      throw bad(path, where + " is not an object");
    }
    Map<?, ?> m = (Map<?, ?>) value;
    for (Object key : m.keySet()) {
      if (!key.equals("dtype") && !key.equals("shape") && !key.equals("data_offsets")) {
        throw bad(path, where + " has unknown field \"" + key + "\"");
      }
    }
    if (!(m.get("dtype") instanceof String)) {
      throw bad(path, where + " has no string dtype");
    }
    DType dtype = DType.parse((String) m.get("dtype"), path + ": " + where);
    int[] shape = intList(path, where + " shape", m.get("shape"), -1);
    long[] offsets = new long[2];
    int[] raw = intList(path, where + " data_offsets", m.get("data_offsets"), 2);
    for (int k = 0; k < 2; k++) {
      offsets[k] = Integer.toUnsignedLong(raw[k]);
    }
    long elements = 1;
    for (int d : shape) {
      elements *= d;
      if (elements > Integer.MAX_VALUE) {
        throw bad(path, where + " has too many elements");
      }
    }
    if (offsets[0] > offsets[1]) {
      throw bad(path, where + " has data_offsets [" + offsets[0] + ", " + offsets[1] + "] with begin after end");
    }
    if (offsets[1] > dataLen) {
      throw bad(path, "truncated: " + where + " needs bytes [" + offsets[0] + ", " + offsets[1]
          + ") of the data section but it has only " + dataLen + " bytes");
    }
    if (offsets[1] - offsets[0] != elements * dtype.byteSize()) {
      throw bad(path, where + " is " + dtype + " " + Shapes.toString(shape) + " (" + elements * dtype.byteSize()
          + " bytes) but its data_offsets span " + (offsets[1] - offsets[0]) + " bytes");
    }
    return new Object[] {dtype, shape, offsets[0], offsets[1]};
  }

  private static void checkLayout(Path path, Map<String, Object[]> infos, long dataLen) {
    List<Map.Entry<String, Object[]>> byBegin = new ArrayList<>(infos.entrySet());
    byBegin.sort((x, y) -> Long.compare((Long) x.getValue()[2], (Long) y.getValue()[2]));
    long end = 0;
    String last = null;
    for (Map.Entry<String, Object[]> e : byBegin) {
      long begin = (Long) e.getValue()[2];
      if (begin < end) {
        throw bad(path, "tensors \"" + last + "\" and \"" + e.getKey() + "\" overlap in the data section");
      }
      if (begin > end) {
        throw bad(path, "bytes [" + end + ", " + begin + ") of the data section belong to no tensor");
      }
      end = (Long) e.getValue()[3];
      last = e.getKey();
    }
    if (end != dataLen) {
      throw bad(path, (dataLen - end) + " bytes at the end of the file belong to no tensor");
    }
  }

  private static int[] intList(Path path, String where, Object v, int length) {
    if (!(v instanceof List) || length >= 0 && ((List<?>) v).size() != length) {
      throw bad(path, where + " is not a list" + (length >= 0 ? " of " + length + " integers" : " of integers"));
    }
    List<?> list = (List<?>) v;
    int[] out = new int[list.size()];
    for (int i = 0; i < out.length; i++) {
      Object o = list.get(i);
      if (!(o instanceof Long) || (Long) o < 0 || (Long) o > (length == 2 ? 0xffffffffL : Integer.MAX_VALUE)) {
        throw bad(path, where + " has an invalid entry " + o);
      }
      out[i] = (int) (long) (Long) o;
    }
    return out;
  }

  private static ByteBuffer encode(Tensor t) {
    ByteBuffer buf = ByteBuffer.allocate(t.size() * t.dtype().byteSize()).order(ByteOrder.LITTLE_ENDIAN);
    switch (t.dtype()) {
      case F32: buf.asFloatBuffer().put(t.floats()); break;
      case F64: buf.asDoubleBuffer().put(t.doubles()); break;
      case I32: buf.asIntBuffer().put(t.ints()); break;
      default: buf.asLongBuffer().put(t.longs()); break;
    }
    return buf;
  }

  private static Tensor decode(DType dtype, int[] shape, byte[] b, int at) {
    int n = Shapes.size(shape);
    ByteBuffer buf = ByteBuffer.wrap(b, at, n * dtype.byteSize()).slice().order(ByteOrder.LITTLE_ENDIAN);
    switch (dtype) {
      case F32: {
        float[] a = new float[n];
        buf.asFloatBuffer().get(a);
        return Tensor.f32(a, shape);
      }
      case F64: {
        double[] a = new double[n];
        buf.asDoubleBuffer().get(a);
        return Tensor.f64(a, shape);
      }
      case I32: {
        int[] a = new int[n];
        buf.asIntBuffer().get(a);
        return Tensor.i32(a, shape);
      }
      default: {
        long[] a = new long[n];
        buf.asLongBuffer().get(a);
        return Tensor.i64(a, shape);
      }
    }
  }

  private static NncException bad(Path path, String problem) {
    return new NncException(path + ": " + problem);
  }
}
