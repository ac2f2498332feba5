package io.steerd.steering;

/** What an edit does to a layer's hidden state h (see steerd.v1.EditOperation). */
public enum EditOp {
  /** h + c v. */
  ADD,
  /** h - (h . u) u with u = v / |v|. */
  ABLATE,
  /** Ablate u, then add c v. */
  ABLATE_THEN_ADD
}
