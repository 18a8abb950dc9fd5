// dead_relu_explorer: the dead fraction of a ReLU network over training (runs precomputed by nnlib).

function drKey(lr, bias) {
  // Python's str() of the floats, as in the keys of data.runs.
  const text = (v) => (Number.isInteger(v) ? v.toFixed(1) : String(v));
  return `${text(lr)}|${text(bias)}`;
}

function drRender({ model, el }) {
  const data = model.get("data");
  const root = h("div", { class: "nnw nnw-dead-relu-explorer" });
  el.append(root);
  const controls = h("div", { class: "nnw-controls" });
  root.append(controls);
  const lrChoice = nnwChoice(controls, {
    label: "Learning rate",
    name: "lr",
    value: model.get("lr"),
    options: data.learning_rates.map((v) => ({ value: v, label: fmt(v) })),
  });
  const biasChoice = nnwChoice(controls, {
    label: "Initial bias",
    name: "bias_init",
    value: model.get("bias_init"),
    options: data.bias_inits.map((v) => ({ value: v, label: fmt(v) })),
  });
  const controls2 = h("div", { class: "nnw-controls" });
  root.append(controls2);
  const last = data.steps[data.steps.length - 1];
  const stepSlider = nnwSlider(controls2, {
    label: "training step",
    name: "step",
    min: 0,
    max: last,
    step: data.steps[1] - data.steps[0],
    value: model.get("step"),
    format: (v) => String(v),
  });

  const figures = h("div", { class: "nnw-figures" });
  root.append(figures);
  const figure = nnwCanvas(figures, 640, 245, "Fraction of dead units over training, and which units are dead");
  const curve = new NnwAxes(figure, { x: 50, y: 22, w: 270, h: 180 }, [0, last], [-0.03, 1.03]);
  const readout = h("div", { class: "nnw-readout", "aria-live": "polite" });
  const line1 = h("div");
  const line2 = h("div", { class: "nnw-verdict" });
  readout.append(line1, line2);
  root.append(readout);

  function draw() {
    const lr = model.get("lr");
    const bias = model.get("bias_init");
    const step = model.get("step");
    const run = data.runs[drKey(lr, bias)];
    const i = Math.round(step / (data.steps[1] - data.steps[0]));
    const { ctx } = figure;

    nnwClear(figure);
    curve.frame({ xlabel: "training step", title: "fraction of dead units" });
    for (const [key, other] of Object.entries(data.runs)) {
      if (key !== drKey(lr, bias)) curve.line(data.steps, other.dead, { color: "#dee2e6", width: 1.5 });
    }
    curve.line(data.steps, run.dead, { color: NNW_COLORS.bad, width: 2.5 });
    curve.line([step, step], [-0.03, 1.03], { color: NNW_COLORS.faint, width: 1, dash: [3, 3] });
    curve.dot(step, run.dead[i], { color: NNW_COLORS.bad });

    // The units: one square per hidden unit, one row per layer.
    const units = run.units[i];
    const size = 10;
    const gap = 2;
    const x0 = 372;
    ctx.save();
    ctx.font = "bold 13px system-ui, sans-serif";
    ctx.fillStyle = NNW_COLORS.axis;
    ctx.textAlign = "left";
    ctx.fillText(`the ${units.length} hidden units at step ${step}`, x0, 16);
    ctx.font = "12px system-ui, sans-serif";
    let offset = 0;
    data.hidden.forEach((count, layer) => {
      const y = 40 + layer * 70;
      ctx.fillStyle = NNW_COLORS.axis;
      ctx.fillText(`layer ${layer + 1}`, x0, y - 4);
      for (let u = 0; u < count; u++) {
        const c = units[offset + u];
        const px = x0 + (u % 12) * (size * 2 + gap);
        const py = y + Math.floor(u / 12) * (size * 2 + gap);
        if (c === "-") {
          ctx.fillStyle = "#343a40";
          ctx.fillRect(px, py, size * 2, size * 2);
          ctx.strokeStyle = "#ffffff";
          ctx.lineWidth = 1.5;
          ctx.beginPath();
          ctx.moveTo(px + 5, py + 5);
          ctx.lineTo(px + 15, py + 15);
          ctx.moveTo(px + 15, py + 5);
          ctx.lineTo(px + 5, py + 15);
          ctx.stroke();
        } else {
          const share = (Number(c) + 0.5) / 10;
          ctx.fillStyle = `rgba(31, 99, 180, ${0.15 + 0.85 * share})`;
          ctx.fillRect(px, py, size * 2, size * 2);
        }
      }
      offset += count;
    });
    ctx.fillStyle = "#343a40";
    ctx.fillRect(x0, 196, 14, 14);
    ctx.fillStyle = "rgba(31, 99, 180, 0.8)";
    ctx.fillRect(x0 + 118, 196, 14, 14);
    ctx.fillStyle = NNW_COLORS.axis;
    ctx.textBaseline = "middle";
    ctx.fillText("dead", x0 + 19, 203);
    ctx.fillText("alive (darker: active", x0 + 137, 203);
    ctx.fillText("on more examples)", x0 + 137, 219);
    ctx.restore();

    const dead = [...units].filter((c) => c === "-").length;
    line1.textContent =
      `learning rate ${fmt(lr)}, initial bias ${fmt(bias)}, step ${step}: ` +
      `${dead} of ${units.length} units dead (${pct(run.dead[i])}) · ` +
      `loss ${fmt(run.loss[i])} · training accuracy ${pct(run.accuracy[i])}`;
    line2.textContent =
      dead === 0
        ? "No dead unit: every unit is active on some examples."
        : "A dead unit outputs 0 on every example, so no gradient reaches its weights (a layer-2 " +
          "unit can only come back if layer 1 changes its inputs).";
    line2.style.color = dead === 0 ? NNW_COLORS.good : NNW_COLORS.bad;
    lrChoice.set(lr);
    biasChoice.set(bias);
    stepSlider.set(step);
    nnwPublish(root, { lr, bias_init: bias, step, dead_fraction: run.dead[i], dead_units: dead, units: units.length });
  }

  lrChoice.onChange((v) => {
    model.set("lr", Number(v));
    nnwSave(model);
  });
  biasChoice.onChange((v) => {
    model.set("bias_init", Number(v));
    nnwSave(model);
  });
  stepSlider.onInput((v) => {
    model.set("step", v);
    nnwSave(model);
  });
  for (const name of ["lr", "bias_init", "step"]) model.on(`change:${name}`, draw);
  draw();
  return () => {
    for (const name of ["lr", "bias_init", "step"]) model.off(`change:${name}`, draw);
  };
}

export default { render: drRender };
