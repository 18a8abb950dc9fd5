// capacity_explorer: decision regions of networks trained by nnlib, one frame per (hidden units, λ).

const CAP_RED = [214, 39, 40];
const CAP_BLUE = [31, 99, 180];

function capKey(hidden, lam) {
  const text = (v) => (Number.isInteger(v) ? v.toFixed(1) : String(v));
  return `${hidden}|${text(lam)}`;
}

function capRender({ model, el }) {
  const data = model.get("data");
  const root = h("div", { class: "nnw nnw-capacity-explorer" });
  el.append(root);
  const controls = h("div", { class: "nnw-controls" });
  root.append(controls);
  const hiddenSlider = nnwSlider(controls, {
    label: "hidden units H",
    name: "hidden",
    min: 0,
    max: data.hidden.length - 1,
    step: 1,
    value: Math.max(0, data.hidden.indexOf(model.get("hidden"))),
    format: (i) => String(data.hidden[i]),
  });
  const lamSlider = nnwSlider(controls, {
    label: "regularization λ",
    name: "lam",
    min: 0,
    max: data.lambdas.length - 1,
    step: 1,
    value: Math.max(0, data.lambdas.indexOf(model.get("lam"))),
    format: (i) => fmt(data.lambdas[i]),
  });

  const figures = h("div", { class: "nnw-figures" });
  root.append(figures);
  const figure = nnwCanvas(figures, 640, 300, "Decision regions of the trained network over the data");
  const plot = new NnwAxes(figure, { x: 45, y: 22, w: 250, h: 250 }, data.extent, data.extent);
  const readout = h("div", { class: "nnw-readout", "aria-live": "polite" });
  const line1 = h("div");
  const line2 = h("div", { class: "nnw-verdict" });
  readout.append(line1, line2);
  root.append(readout);

  const n = data.resolution;
  const image = document.createElement("canvas");
  image.width = n;
  image.height = n;
  const imageCtx = image.getContext("2d");
  const decoded = new Map();
  function probabilities(key) {
    if (!decoded.has(key)) {
      const raw = atob(data.frames[key].p);
      decoded.set(key, Uint8Array.from(raw, (c) => c.charCodeAt(0)));
    }
    return decoded.get(key);
  }

  function draw() {
    const hidden = model.get("hidden");
    const lam = model.get("lam");
    const key = capKey(hidden, lam);
    const frame = data.frames[key];
    const p = probabilities(key);
    const pixels = imageCtx.createImageData(n, n);
    for (let i = 0; i < n * n; i++) {
      const t = p[i] / 255;
      // White at p = 0.5, pale red (class 0) or pale blue (class 1) toward the ends.
      const strength = 0.25 + 0.35 * Math.abs(2 * t - 1);
      const base = t >= 0.5 ? CAP_BLUE : CAP_RED;
      for (let c = 0; c < 3; c++) pixels.data[4 * i + c] = Math.round(255 + (base[c] - 255) * strength);
      pixels.data[4 * i + 3] = 255;
    }
    imageCtx.putImageData(pixels, 0, 0);

    nnwClear(figure);
    plot.frame({ xlabel: "x₁", ylabel: "x₂", title: `H = ${hidden} hidden units, λ = ${fmt(lam)}` });
    const { ctx } = figure;
    ctx.save();
    ctx.imageSmoothingEnabled = true;
    ctx.drawImage(image, plot.box.x, plot.box.y, plot.box.w, plot.box.h);
    ctx.restore();
    const points = (xs, ys, hollow) => {
      for (let i = 0; i < ys.length; i++) {
        const color = ys[i] === 1 ? NNW_COLORS.blue : NNW_COLORS.red;
        if (hollow) plot.dot(xs[2 * i], xs[2 * i + 1], { color: "#ffffff", radius: 3, stroke: color });
        else plot.dot(xs[2 * i], xs[2 * i + 1], { color, radius: 3, stroke: "#ffffff" });
      }
    };
    points(data.x_train, data.y_train, false);
    points(data.x_val, data.y_val, true);

    // Validation accuracy of every frame: rows = H, columns = λ; the current one outlined.
    const x0 = 385;
    const y0 = 52;
    const cw = 58;
    const ch = 40;
    ctx.save();
    ctx.font = "bold 13px system-ui, sans-serif";
    ctx.fillStyle = NNW_COLORS.axis;
    ctx.textAlign = "left";
    ctx.fillText("validation accuracy", x0, 16);
    ctx.font = "12px system-ui, sans-serif";
    ctx.textAlign = "center";
    ctx.textBaseline = "middle";
    ctx.fillText("λ →", x0 - 25, y0 - 14);
    data.lambdas.forEach((l, j) => ctx.fillText(fmt(l), x0 + j * cw + cw / 2, y0 - 14));
    data.hidden.forEach((hh, i) => {
      ctx.fillStyle = NNW_COLORS.axis;
      ctx.fillText(`H ${hh}`, x0 - 25, y0 + i * ch + ch / 2);
      data.lambdas.forEach((l, j) => {
        const acc = data.frames[capKey(hh, l)].val;
        const shade = Math.max(0, Math.min(1, (acc - 0.6) / 0.4));
        ctx.fillStyle = `rgba(43, 138, 62, ${0.1 + 0.6 * shade})`;
        ctx.fillRect(x0 + j * cw + 1, y0 + i * ch + 1, cw - 2, ch - 2);
        ctx.fillStyle = "#212529";
        ctx.fillText(pct(acc), x0 + j * cw + cw / 2, y0 + i * ch + ch / 2);
        if (hh === hidden && l === lam) {
          ctx.strokeStyle = "#111111";
          ctx.lineWidth = 2.5;
          ctx.strokeRect(x0 + j * cw + 1, y0 + i * ch + 1, cw - 2, ch - 2);
        }
      });
    });
    ctx.textAlign = "left";
    ctx.fillStyle = NNW_COLORS.axis;
    ctx.fillText("● training point   ○ validation point", x0 - 45, y0 + data.hidden.length * ch + 22);
    ctx.restore();

    line1.textContent =
      `H = ${hidden}, λ = ${fmt(lam)}: training accuracy ${pct(frame.train)}, ` +
      `validation accuracy ${pct(frame.val)}`;
    const gap = frame.train - frame.val;
    line2.textContent =
      gap > 0.05
        ? "Overfitting: much better on the training points than on the validation points."
        : frame.train < 0.8
          ? "Underfitting: the regions are too simple for the spirals."
          : "Training and validation accuracy agree.";
    hiddenSlider.set(data.hidden.indexOf(hidden));
    lamSlider.set(data.lambdas.indexOf(lam));
    nnwPublish(root, { hidden, lam, train: frame.train, val: frame.val });
  }

  hiddenSlider.onInput((i) => {
    model.set("hidden", data.hidden[i]);
    nnwSave(model);
  });
  lamSlider.onInput((i) => {
    model.set("lam", data.lambdas[i]);
    nnwSave(model);
  });
  for (const name of ["hidden", "lam"]) model.on(`change:${name}`, draw);
  draw();
  return () => {
    for (const name of ["hidden", "lam"]) model.off(`change:${name}`, draw);
  };
}

export default { render: capRender };
