// A small line chart on a canvas: a few series over the last samples, a zero-based y axis rounded up to a
// readable maximum, and a legend. Drawn again from scratch at every sample; the canvas is scaled for the
// screen's pixel ratio so lines stay sharp. Samples sit at the time they were taken; the time axis grows with
// the history, from one minute up to the chart's whole span, so a page opened a moment ago is not a flat line
// squeezed against "now".

const AXIS = '#8a94a6';
const GRID = '#e3e7ee';
const TEXT = '#3b4454';
const PAD = { left: 52, right: 12, top: 26, bottom: 22 };

/** The smallest of 1, 2, 5 x 10^n at or above value (at least 1), so the axis reads 0 … 50, not 0 … 47.3. */
export function niceMax(value) {
  if (!(value > 1)) {
    return 1;
  }
  const power = 10 ** Math.floor(Math.log10(value));
  for (const step of [1, 2, 5, 10]) {
    if (step * power >= value) {
      return step * power;
    }
  }
  return 10 * power;
}

function label(value) {
  if (value >= 1e6) {
    return `${+(value / 1e6).toFixed(1)}M`;
  }
  if (value >= 1e3) {
    return `${+(value / 1e3).toFixed(1)}k`;
  }
  return `${+value.toFixed(value < 10 ? 1 : 0)}`;
}

export class LineChart {
  /**
   * @param canvas the element drawn on
   * @param series [{label, color}], one per value in each sample
   * @param span   the longest time the width shows, in seconds (older samples are off the left edge)
   */
  constructor(canvas, series, span) {
    this.canvas = canvas;
    this.series = series;
    this.span = span;
  }

  /**
   * Draws samples, oldest first: {t: the time taken in ms, values: one per series, null where unknown}.
   */
  draw(samples, emptyText = 'Waiting for data…') {
    const ratio = window.devicePixelRatio || 1;
    const width = this.canvas.clientWidth || 600;
    const height = this.canvas.clientHeight || 180;
    this.canvas.width = Math.round(width * ratio);
    this.canvas.height = Math.round(height * ratio);
    const g = this.canvas.getContext('2d');
    g.setTransform(ratio, 0, 0, ratio, 0, 0);
    g.clearRect(0, 0, width, height);
    g.font = '12px system-ui, sans-serif';
    g.textBaseline = 'middle';

    const plotW = width - PAD.left - PAD.right;
    const plotH = height - PAD.top - PAD.bottom;
    const values = samples.flatMap((s) => s.values).filter((v) => typeof v === 'number');
    const max = niceMax(Math.max(0, ...values));
    const now = Date.now();
    const oldest = samples.length ? (now - samples[0].t) / 1000 : 0;
    const seconds = Math.min(this.span, Math.max(60, Math.ceil(oldest / 10) * 10));
    const x = (t) => PAD.left + plotW - Math.min(1, (now - t) / 1000 / seconds) * plotW;
    const y = (v) => PAD.top + plotH - (v / max) * plotH;

    // Grid and y labels at 0, half and the maximum.
    g.strokeStyle = GRID;
    g.fillStyle = TEXT;
    g.textAlign = 'right';
    g.lineWidth = 1;
    for (const v of [0, max / 2, max]) {
      g.beginPath();
      g.moveTo(PAD.left, Math.round(y(v)) + 0.5);
      g.lineTo(PAD.left + plotW, Math.round(y(v)) + 0.5);
      g.stroke();
      g.fillText(label(v), PAD.left - 6, y(v));
    }
    g.strokeStyle = AXIS;
    g.beginPath();
    g.moveTo(PAD.left + 0.5, PAD.top);
    g.lineTo(PAD.left + 0.5, PAD.top + plotH);
    g.stroke();
    g.textAlign = 'left';
    g.fillStyle = AXIS;
    const ago = seconds < 120 ? `${seconds} s ago` : `${Math.round(seconds / 60)} min ago`;
    g.fillText(ago, PAD.left, height - PAD.bottom / 2);
    g.textAlign = 'right';
    g.fillText('now', PAD.left + plotW, height - PAD.bottom / 2);

    // Legend along the top.
    let lx = PAD.left;
    g.textAlign = 'left';
    for (const s of this.series) {
      g.fillStyle = s.color;
      g.fillRect(lx, 8, 10, 10);
      g.fillStyle = TEXT;
      g.fillText(s.label, lx + 14, 13);
      lx += 22 + g.measureText(s.label).width;
    }

    if (values.length === 0) {
      g.fillStyle = AXIS;
      g.textAlign = 'center';
      g.fillText(emptyText, PAD.left + plotW / 2, PAD.top + plotH / 2);
      return;
    }
    g.lineWidth = 2;
    g.lineJoin = 'round';
    this.series.forEach((s, k) => {
      g.strokeStyle = s.color;
      g.beginPath();
      let drawing = false;
      for (const sample of samples) {
        const v = sample.values[k];
        if (typeof v !== 'number') {
          drawing = false;
        } else if (drawing) {
          g.lineTo(x(sample.t), y(v));
        } else {
          g.moveTo(x(sample.t), y(v));
          drawing = true;
        }
      }
      g.stroke();
    });
  }
}
