"""The graded work of the course: every assignment, its graded functions and written answers,
as keyword data."""

from __future__ import annotations

from nnbook.registry import bow_inputs, capstone, inputs, references, training
from nnbook.registry.activation_tables import ACTIVATIONS
from nnbook.registry.compare import EXACT64, MATMUL, Compare
from nnbook.registry.model import Assignment, GradedFunction, WrittenAnswer

_R = "nnbook.registry.references."
_FN = "nnlib.functional."
MLP = Assignment(
    name="mlp",
    functions=(
        GradedFunction(
            name="linear",
            points=1,
            signature="linear(x, w, b)",
            outputs=("out",),
            make_inputs=inputs.linear_inputs(False),
            reference=_FN + "linear",
            compare=MATMUL,
        ),
        GradedFunction(
            name="linear_backward",
            points=3,
            signature="linear_backward(dout, x, w, b)",
            outputs=("dx", "dw", "db"),
            make_inputs=inputs.linear_inputs(True),
            reference=_FN + "linear_backward",
            compare=MATMUL,
        ),
        GradedFunction(
            name="two_layer_forward",
            points=1,
            signature="two_layer_forward(x, w1, w2)",
            outputs=("h", "y_pred"),
            make_inputs=inputs.two_layer_inputs(False),
            reference=_R + "reference_two_layer_forward",
            compare=MATMUL,
        ),
        GradedFunction(
            name="sse",
            points=1,
            signature="sse(pred, target)",
            outputs=("loss",),
            make_inputs=inputs.sse_inputs,
            reference=_FN + "sse",
            compare=Compare(rtol64=1e-12, atol64=1e-15, scale_rtol64=0.0, match_dtype=False),
        ),
        GradedFunction(
            name="two_layer_gradients",
            points=4,
            signature="two_layer_gradients(x, y, w1, w2)",
            outputs=("grad_w1", "grad_w2"),
            make_inputs=inputs.two_layer_inputs(True),
            reference=_R + "reference_two_layer_gradients",
            compare=MATMUL,
        ),
        GradedFunction(
            name="gradient_descent_step",
            points=1,
            signature="gradient_descent_step(w, grad, lr)",
            outputs=("w_new",),
            make_inputs=inputs.step_inputs,
            reference=_R + "reference_gradient_descent_step",
            compare=EXACT64,
        ),
        GradedFunction(
            name="numerical_gradient",
            points=2,
            signature="numerical_gradient(f, x, h=1e-5)",
            outputs=("grad",),
            make_inputs=inputs.gradcheck_inputs,
            reference=_R + "reference_numerical_gradient",
            compare=Compare(rtol64=1e-08, atol64=1e-09),
        ),
    ),
    written=(
        WrittenAnswer(
            grade_id="answer_training_run",
            points=3,
            question=(
                "Predict, then explain, the loss after 200 steps with a larger initialization, "
                "a smaller learning rate, and both a larger initialization and learning rate."
            ),
        ),
    ),
)
FEATURES = Assignment(
    name="features",
    functions=(
        GradedFunction(
            name="polar_transform",
            points=1,
            signature="polar_transform(points)",
            outputs=("rt",),
            make_inputs=inputs.points_inputs,
            reference="nnlib.features.polar_transform",
            compare=EXACT64,
        ),
        GradedFunction(
            name="color_histogram",
            points=2,
            signature="color_histogram(image, bins=4)",
            outputs=("hist",),
            make_inputs=inputs.color_inputs,
            reference=_R + "reference_color_histogram",
            compare=EXACT64,
        ),
        GradedFunction(
            name="hog_cells",
            points=4,
            signature="hog_cells(image)",
            outputs=("cells",),
            make_inputs=inputs.hog_inputs,
            reference="nnlib.features.hog_cells",
            compare=Compare(rtol64=1e-11, atol64=1e-12),
        ),
    ),
    written=(
        WrittenAnswer(
            grade_id="answer_feature_predictions",
            points=3,
            question=(
                "Explain the HoG of a vertical edge, predict it for the mirrored and the turned "
                "edge, and count the empty boxes of a 16-bin color histogram."
            ),
        ),
    ),
)
HYPERPARAMETERS = Assignment(
    name="hyperparameters",
    functions=(
        GradedFunction(
            name="split_indices",
            points=2,
            signature="split_indices(n, fractions, seed)",
            outputs=("train", "val", "test"),
            make_inputs=inputs.split_inputs,
            reference=None,
            check=references.check_split_indices,
            forbidden=("nnlib", "sklearn"),
        ),
        GradedFunction(
            name="k_fold_indices",
            points=2,
            signature="k_fold_indices(n, k)",
            outputs=("folds",),
            make_inputs=inputs.kfold_inputs,
            reference=_R + "reference_k_fold_indices",
            forbidden=("nnlib", "sklearn"),
        ),
        GradedFunction(
            name="ridge_fit",
            points=3,
            signature="ridge_fit(x, y, lam)",
            outputs=("w",),
            make_inputs=inputs.regression_inputs(False),
            reference=_R + "reference_ridge_fit",
            compare=Compare(rtol64=1e-06, atol64=1e-09, scale_rtol64=1e-08),
            forbidden=("nnlib", "sklearn"),
        ),
        GradedFunction(
            name="cross_validation_error",
            points=2,
            signature="cross_validation_error(x, y, lam, k)",
            outputs=("error",),
            make_inputs=inputs.regression_inputs(True),
            reference=_R + "reference_cross_validation_error",
            compare=Compare(rtol64=1e-06, atol64=1e-09),
            forbidden=("nnlib", "sklearn"),
            depends_on=("k_fold_indices", "ridge_fit"),
        ),
    ),
    written=(
        WrittenAnswer(
            grade_id="answer_selection_bug",
            points=3,
            question=(
                "What is wrong with choosing lambda by the best test accuracy, and is the "
                "reported accuracy too high or too low?"
            ),
        ),
    ),
)
BAG_OF_WORDS = Assignment(
    name="bag_of_words",
    functions=(
        GradedFunction(
            name="kmeans_assign",
            points=3,
            signature="kmeans_assign(points, centers)",
            outputs=("labels",),
            make_inputs=bow_inputs.assign_inputs,
            reference=_R + "reference_kmeans_assign",
        ),
        GradedFunction(
            name="kmeans_update",
            points=3,
            signature="kmeans_update(points, labels, k, old_centers)",
            outputs=("centers",),
            make_inputs=bow_inputs.update_inputs,
            reference=_R + "reference_kmeans_update",
            check=references.check_kmeans_update,
            compare=Compare(
                rtol64=1e-12,
                atol64=1e-300,
                scale_rtol64=1e-12,
                rtol32=1e-4,
                atol32=1e-38,
                scale_rtol32=1e-4,
                no_warnings=True,
            ),
        ),
        GradedFunction(
            name="bow_histogram",
            points=2,
            signature="bow_histogram(descriptors, codebook)",
            outputs=("hist",),
            make_inputs=bow_inputs.histogram_inputs,
            reference=_R + "reference_bow_histogram",
            compare=Compare(rtol64=1e-12, atol64=1e-15, scale_rtol64=0.0, no_warnings=True),
            depends_on=("kmeans_assign",),
        ),
    ),
    written=(
        WrittenAnswer(
            grade_id="answer_codebook_size",
            points=2,
            question=(
                "Predict, then explain the test accuracy of a linear classifier on bag-of-words "
                "histograms of the digits with k = 2, 8 and 32 visual words."
            ),
        ),
    ),
)
_T = "nnbook.registry.training."
_TIGHT = {"rtol64": 1e-12, "atol64": 1e-300, "scale_rtol64": 1e-12}
TRAINING = Assignment(
    name="training",
    functions=(
        GradedFunction(
            name="softmax_cross_entropy",
            points=2,
            signature="softmax_cross_entropy(scores, y)",
            outputs=("loss",),
            make_inputs=training.softmax_ce_inputs,
            check=training.check_softmax_ce,
            compare=Compare(no_warnings=True),
            forbidden=("nnlib", "sklearn"),
        ),
        GradedFunction(
            name="softmax_cross_entropy_backward",
            points=3,
            signature="softmax_cross_entropy_backward(scores, y)",
            outputs=("dscores",),
            make_inputs=training.softmax_ce_inputs,
            reference=_FN + "softmax_cross_entropy_backward",
            # float32 at logits of 1e4: a correct formula through log-sum-exp rounds the exponent
            # by eps32 * 1e4 (about 1e-3), hence the looser float32 tolerance.
            compare=Compare(
                rtol64=1e-11,
                atol64=1e-300,
                scale_rtol64=1e-11,
                rtol32=5e-3,
                scale_rtol32=1e-2,
                no_warnings=True,
            ),
            forbidden=("nnlib", "sklearn"),
        ),
        GradedFunction(
            name="l2_penalty",
            points=1,
            signature="l2_penalty(params, lam)",
            outputs=("penalty",),
            make_inputs=training.l2_penalty_inputs,
            reference=_T + "reference_l2_penalty",
            compare=Compare(**_TIGHT, match_dtype=False),
            forbidden=("nnlib", "sklearn"),
        ),
        GradedFunction(
            name="add_l2_gradient",
            points=2,
            signature="add_l2_gradient(grads, params, lam)",
            outputs=("new_grads",),
            make_inputs=training.add_l2_inputs,
            reference=_T + "reference_add_l2_gradient",
            compare=Compare(**_TIGHT),
            forbidden=("nnlib", "sklearn"),
        ),
        GradedFunction(
            name="minibatch_sgd",
            points=3,
            signature="minibatch_sgd(params, grad_fn, x, y, lr, batch_size, epochs, rng)",
            outputs=("params", "loss_history"),
            make_inputs=training.sgd_inputs,
            reference=_T + "reference_minibatch_sgd",
            check=training.check_minibatch_sgd,
            compare=Compare(rtol64=1e-9, atol64=1e-12, scale_rtol64=1e-12, match_dtype=False),
            forbidden=("nnlib", "sklearn"),
        ),
        GradedFunction(
            name="choose_hyperparameters",
            points=2,
            signature=(
                "choose_hyperparameters(x_train, y_train, x_val, y_val, candidates, train_fn)"
            ),
            outputs=("chosen",),
            make_inputs=training.selection_inputs,
            reference=_T + "reference_choose_hyperparameters",
            check=training.check_choose_hyperparameters,
            compare=Compare(rtol64=0.0, atol64=0.0, scale_rtol64=0.0, match_dtype=False),
            forbidden=("nnlib", "sklearn"),
        ),
    ),
    written=(
        WrittenAnswer(
            grade_id="answer_batch_size",
            points=2,
            question=(
                "Predict, then explain: after the same number of epochs, which batch size "
                "reaches the lowest training loss, and why?"
            ),
        ),
    ),
)
CAPSTONE = Assignment(
    name="capstone",
    functions=(
        GradedFunction(
            name="loss_and_gradients",
            points=5,
            signature="loss_and_gradients(params, x, y, activation, lam)",
            outputs=("loss", "grads"),
            make_inputs=capstone.loss_inputs,
            reference="nnbook.registry.capstone.reference_loss_and_gradients",
            # two layers of matrix products and a log-sum-exp: sums in another order
            compare=Compare(rtol64=1e-9, atol64=1e-12, scale_rtol64=1e-10, no_warnings=True),
            forbidden=("nnlib", "sklearn"),
        ),
        GradedFunction(
            name="train_and_predict",
            points=5,
            signature="train_and_predict(x_train, y_train, x_val, y_val, x_test, seed)",
            outputs=("labels",),
            make_inputs=capstone.predict_inputs,
            check=capstone.check_predictions,
            # sklearn hidden in the check's sandbox also hides the digits' data file
            forbidden=("nnlib", "sklearn"),
            depends_on=("loss_and_gradients",),
        ),
    ),
    written=(
        WrittenAnswer(
            grade_id="answer_justification",
            points=3,
            question=(
                "Justify the activation, initialization scale, lambda and learning rate you chose "
                "from your validation results."
            ),
        ),
    ),
)
ASSIGNMENTS: dict[str, Assignment] = {
    a.name: a
    for a in (FEATURES, MLP, ACTIVATIONS, HYPERPARAMETERS, BAG_OF_WORDS, TRAINING, CAPSTONE)
}


def get(name: str) -> Assignment:
    """The assignment called ``name``, or a ValueError listing the known ones."""
    try:
        return ASSIGNMENTS[name]
    except KeyError:
        known = ", ".join(ASSIGNMENTS)
        raise ValueError(f"unknown assignment {name!r}; known assignments: {known}") from None
