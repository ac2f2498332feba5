package io.steerd.model;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Finds and reads a llama2.c model: a checkpoint file (with its tokenizer given separately), or
 * a directory holding one checkpoint and one tokenizer, the tokenizer being the .bin file whose
 * name starts with "tok" (llama2.c's tokenizer.bin, tok512.bin, ...).
 */
public final class ModelLoader {
  private ModelLoader() {}

  public static LoadedModel load(Path model, Path tokenizerFile) throws IOException {
    Path checkpoint = model;
    Path tokenizer = tokenizerFile;
    if (Files.isDirectory(model)) {
      List<Path> checkpoints = new ArrayList<>();
      List<Path> tokenizers = new ArrayList<>();
      try (DirectoryStream<Path> files = Files.newDirectoryStream(model, "*.bin")) {
        for (Path f : files) {
          (f.getFileName().toString().startsWith("tok") ? tokenizers : checkpoints).add(f);
        }
      }
      checkpoint = single(checkpoints, model, "checkpoint (*.bin not starting with 'tok')");
      if (tokenizer == null) {
        tokenizer = single(tokenizers, model, "tokenizer (tok*.bin); or pass --tokenizer");
      }
    } else if (!Files.isRegularFile(model)) {
      throw new IOException("model path " + model + " does not exist");
    }
    if (tokenizer == null) {
      throw new IOException("--model " + model + " is a file, so --tokenizer is required");
    }
    LlamaWeights weights = Llama2cCheckpoint.load(checkpoint);
    Tokenizer tok = Tokenizer.load(tokenizer, weights.config().vocabSize());
    return new LoadedModel(weights, tok, checkpoint.toAbsolutePath().normalize().toString());
  }

  private static Path single(List<Path> found, Path dir, String what) throws IOException {
    if (found.size() != 1) {
      throw new IOException("expected exactly one " + what + " in " + dir + ", found "
          + found.size() + (found.isEmpty() ? "" : ": " + found));
    }
    return found.get(0);
  }
}
