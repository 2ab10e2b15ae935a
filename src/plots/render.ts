/**
 * Render a Vega-Lite spec headlessly: compile with vega-lite, run a vega View with the
 * 'none' renderer and serialise to SVG; rasterise SVG to PNG with resvg (system fonts;
 * without any font installed the PNG simply has no text).
 */
import { Resvg } from '@resvg/resvg-js';
import * as vega from 'vega';
import { compile, type TopLevelSpec } from 'vega-lite';

export type VegaLiteSpec = TopLevelSpec;

export async function renderSvg(spec: VegaLiteSpec): Promise<string> {
  const compiled = compile(spec).spec;
  const view = new vega.View(vega.parse(compiled), { renderer: 'none' });
  // Vega logs to the console by default; keep library warnings out of CLI output.
  view.logLevel(vega.Error);
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}

/** PNG bytes of an SVG at `scale` times its size; white background so it reads in any viewer. */
export function svgToPng(svg: string, scale = 2): Buffer {
  const resvg = new Resvg(svg, {
    background: 'white',
    fitTo: { mode: 'zoom', value: scale },
    font: { loadSystemFonts: true, defaultFontFamily: 'DejaVu Sans', sansSerifFamily: 'DejaVu Sans' },
  });
  return resvg.render().asPng();
}
