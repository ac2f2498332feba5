package io.steerd.tradeoff.fit;

/** The outcome of {@link BreakEven#solve}; only a FOUND result has a norm. */
public final class BreakEvenResult {
  public enum Status {
    /** A break-even norm r* lies within the searched range. */
    FOUND,
    /** The marginal gain still exceeds the weighted marginal loss at |r| = rMax. */
    NONE_IN_RANGE,
    /** The weighted marginal loss is at least the gain all the way from r → 0+ to rMax. */
    NEVER_PAYS,
    /** A fit failed, so there are no curves to compare. */
    UNDEFINED
  }

  private final Status status;
  private final double norm;
  private final String explanation;

  private BreakEvenResult(Status status, double norm, String explanation) {
    this.status = status;
    this.norm = norm;
    this.explanation = explanation;
  }

  static BreakEvenResult found(double norm, String explanation) {
    return new BreakEvenResult(Status.FOUND, norm, explanation);
  }

  static BreakEvenResult withoutNorm(Status status, String explanation) {
    if (status == Status.FOUND) {
      throw new IllegalArgumentException("a FOUND result needs a norm");
    }
    return new BreakEvenResult(status, Double.NaN, explanation);
  }

  public Status status() {
    return status;
  }

  /** The break-even norm r*, signed: negative when alignment rises towards negative r. */
  public double norm() {
    if (status != Status.FOUND) {
      throw new IllegalStateException("no break-even norm (" + status + "): " + explanation);
    }
    return norm;
  }

  /** A sentence saying what was found and why, for reports. */
  public String explanation() {
    return explanation;
  }

  @Override
  public String toString() {
    return status == Status.FOUND
        ? "FOUND r*=" + norm + ": " + explanation
        : status + ": " + explanation;
  }
}
