// A small line chart on a canvas: a few series over the last samples, a zero-based y axis rounded up to a
// readable maximum, and a legend. Drawn again from scratch at every sample; the canvas is scaled for the
// screen's pixel ratio so lines stay sharp.

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
   * @param span   how many samples fill the width (older ones scroll off)
   */
  constructor(canvas, series, span) {
    this.canvas = canvas;
    this.series = series;
    this.span = span;
  }

  /** Draws samples, a list of value lists (one value per series, null where unknown), oldest first. */
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
    const values = samples.flat().filter((v) => typeof v === 'number');
    const max = niceMax(Math.max(0, ...values));
    const x = (i) => PAD.left + (this.span <= 1 ? 0 : (i + this.span - samples.length) * plotW / (this.span - 1));
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
    g.fillText(`${Math.round(this.span * 5 / 60)} min ago`, PAD.left, height - PAD.bottom / 2);
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
      samples.forEach((sample, i) => {
        const v = sample[k];
        if (typeof v !== 'number') {
          drawing = false;
          return;
        }
        if (drawing) {
          g.lineTo(x(i), y(v));
        } else {
          g.moveTo(x(i), y(v));
          drawing = true;
        }
      });
      g.stroke();
    });
  }
}
