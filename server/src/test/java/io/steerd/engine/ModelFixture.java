package io.steerd.engine;

import io.steerd.SharedFiles;
import io.steerd.model.LoadedModel;
import io.steerd.model.ModelLoader;
import java.io.IOException;
import java.io.UncheckedIOException;

/** The real stories260K model, read once per test JVM. */
public final class ModelFixture {
  private static LoadedModel model;

  private ModelFixture() {}

  public static synchronized LoadedModel stories260K() {
    if (model == null) {
      try {
        model = ModelLoader.load(SharedFiles.stories260K(), null);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
    return model;
  }
}
