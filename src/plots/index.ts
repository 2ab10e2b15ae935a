/** Plots as Vega-Lite specs rendered headlessly to SVG (and PNG via resvg). */
export { renderSvg, svgToPng, type VegaLiteSpec } from './render.js';
export { bandCurveSpec, type BandPoint, type BandCurveOptions } from './band-curve.js';
export { boxPlotSpec, type BoxValue, type BoxPlotOptions } from './box-plot.js';
export { heatMapSpec, type HeatCell, type HeatMapOptions } from './heat-map.js';
export { colorsFor, TABLEAU10 } from './palette.js';
export { intervalPlotSpec, type IntervalRow, type IntervalPlotOptions } from './interval-plot.js';
