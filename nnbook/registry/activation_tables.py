"""The activations assignment (Part 3 of the lecture) as keyword data: forward and backward
of every activation function, compared entry by entry."""

from __future__ import annotations

from nnbook.registry import inputs
from nnbook.registry.compare import ACT, STABLE, SUMS
from nnbook.registry.model import Assignment, GradedFunction, WrittenAnswer

_FN = "nnlib.functional."


def _act(name: str, points: float, outputs=("out",), params=None, **kw) -> GradedFunction:
    backward = name.endswith("_backward")
    extra = "" if params is None else f", {params}"
    sig = f"{name}(dout, x{extra})" if backward else f"{name}(x{extra})"
    make = kw.pop("make_inputs", None)
    return GradedFunction(
        name=name,
        points=points,
        signature=sig,
        outputs=("dx",) if backward and outputs == ("out",) else outputs,
        make_inputs=make or inputs.elementwise_inputs(backward, kw.pop("param_gen", None)),
        reference=_FN + name,
        forbidden=("nnlib",),
        compare=kw.pop("compare", ACT),
        **kw,
    )


ACTIVATIONS = Assignment(
    name="activations",
    functions=(
        _act("sigmoid", 2, compare=STABLE),
        _act("sigmoid_backward", 2),
        _act("tanh", 1),
        _act("tanh_backward", 2),
        _act("relu", 1),
        _act("relu_backward", 1),
        _act("leaky_relu", 1, params="slope=0.01", param_gen=inputs.slope),
        _act("leaky_relu_backward", 1, params="slope=0.01", param_gen=inputs.slope),
        _act("prelu", 1, params="alpha", make_inputs=inputs.prelu_inputs(False)),
        _act(
            "prelu_backward",
            3,
            outputs=("dx", "dalpha"),
            params="alpha",
            make_inputs=inputs.prelu_inputs(True),
            compare=SUMS,
        ),
        _act("elu", 1, params="alpha=1.0", param_gen=inputs.alpha),
        _act("elu_backward", 2, params="alpha=1.0", param_gen=inputs.alpha),
        _act("selu", 1),
        _act("selu_backward", 1),
        _act("maxout", 2, params="w, b", make_inputs=inputs.maxout_inputs(False), compare=SUMS),
        _act(
            "maxout_backward",
            4,
            outputs=("dx", "dw", "db"),
            params="w, b",
            make_inputs=inputs.maxout_inputs(True),
            compare=SUMS,
        ),
    ),
    written=(
        WrittenAnswer(
            grade_id="answer_sigmoid_saturation",
            points=2,
            question="What happens to σ′(x) at x = −10, 0 and 10, and why does it matter?",
        ),
        WrittenAnswer(
            grade_id="answer_zero_centered",
            points=2,
            question=(
                "If a neuron's inputs are all positive, what can you say about the gradients "
                "on its w?"
            ),
        ),
        WrittenAnswer(
            grade_id="answer_dead_relu",
            points=2,
            question="When does a ReLU unit die, and what can you do about it?",
        ),
        WrittenAnswer(
            grade_id="answer_softplus_bug",
            points=3,
            question=(
                "Find the two bugs of a softplus backward pass, predict what it prints at "
                "x = -1000, 0, 1000, and fix it."
            ),
        ),
    ),
)
