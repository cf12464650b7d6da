package dev.nnc.runtime.data;

import dev.nnc.runtime.NncException;
import dev.nnc.runtime.io.InputFile;
import java.io.ByteArrayInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.nio.file.Path;
import java.util.zip.GZIPInputStream;
import java.util.zip.ZipException;

/** The contents of a data file, transparently gunzipped when it starts with the gzip magic 1f 8b. */
public final class FileBytes {
  private FileBytes() {}

  /** Reads {@code path}; a missing, unreadable or corrupt file is an {@link NncException} naming it. */
  public static byte[] read(Path path) {
    byte[] raw = InputFile.readAllBytes(path);
    if (raw.length < 2 || (raw[0] & 0xff) != 0x1f || (raw[1] & 0xff) != 0x8b) {
      return raw;
    }
    try (GZIPInputStream in = new GZIPInputStream(new ByteArrayInputStream(raw), 1 << 16)) {
      return in.readAllBytes();
    } catch (EOFException e) {
      throw new NncException(path + ": truncated gzip data (the file ends early)");
    } catch (ZipException e) {
      throw new NncException(path + ": corrupt gzip data (" + e.getMessage() + ")");
    } catch (IOException e) {
      throw new NncException(path + ": cannot decompress: " + e.getMessage(), e);
    } catch (OutOfMemoryError e) {
      throw new NncException(path + ": cannot decompress: the data is too large for memory");
    }
  }
}
