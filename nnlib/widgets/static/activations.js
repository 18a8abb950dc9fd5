// The lecture's activations and their derivatives, for parameters the reader picks in the browser.
// Pure functions of (x, params), no DOM: tests/test_widgets.py runs them in Node and asserts that they
// equal nnlib's forward and backward on a grid (same conventions at the kinks: relu′(0) = 0, ...).

const NNW_SELU_ALPHA = 1.6732632423543772848170429916717;
const NNW_SELU_LAMBDA = 1.0507009873554804934193349852946;

function nnwSigmoid(x) {
  // Two branches, so that exp never overflows.
  if (x >= 0) return 1 / (1 + Math.exp(-x));
  const e = Math.exp(x);
  return e / (1 + e);
}

const NNW_ACTIVATIONS = {
  sigmoid: {
    f: (x) => nnwSigmoid(x),
    df: (x) => nnwSigmoid(x) * (1 - nnwSigmoid(x)),
  },
  tanh: {
    f: (x) => Math.tanh(x),
    df: (x) => 1 - Math.tanh(x) ** 2,
  },
  relu: {
    f: (x) => Math.max(0, x),
    df: (x) => (x > 0 ? 1 : 0),
  },
  leaky_relu: {
    f: (x, p) => (x > 0 ? x : p.slope * x),
    df: (x, p) => (x > 0 ? 1 : p.slope),
  },
  prelu: {
    f: (x, p) => (x > 0 ? x : p.alpha * x),
    df: (x, p) => (x > 0 ? 1 : p.alpha),
  },
  elu: {
    f: (x, p) => (x > 0 ? x : p.alpha * Math.expm1(x)),
    df: (x, p) => (x > 0 ? 1 : p.alpha * Math.exp(x)),
  },
  selu: {
    f: (x) => NNW_SELU_LAMBDA * (x > 0 ? x : NNW_SELU_ALPHA * Math.expm1(x)),
    df: (x) => NNW_SELU_LAMBDA * (x > 0 ? 1 : NNW_SELU_ALPHA * Math.exp(x)),
  },
  maxout: {
    // max(w1 x + b1, w2 x + b2); a tie goes to the first piece.
    f: (x, p) => Math.max(p.w1 * x + p.b1, p.w2 * x + p.b2),
    df: (x, p) => (p.w1 * x + p.b1 >= p.w2 * x + p.b2 ? p.w1 : p.w2),
  },
};
