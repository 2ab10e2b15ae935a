import { test } from 'node:test';
import assert from 'node:assert/strict';
import { bandCurveSpec, type BandPoint } from '../src/plots/band-curve.js';
import { boxPlotSpec } from '../src/plots/box-plot.js';
import { heatMapSpec } from '../src/plots/heat-map.js';
import { renderSvg, svgToPng } from '../src/plots/render.js';
import { checkWellFormedXml } from './fixtures/xml-check.js';

/** Series names of the line marks of a band-curve SVG (one <path> per series, labelled by vega). */
function lineSeries(svg: string): string[] {
  const groups = svg.split('class="mark-line role-mark center_marks"').slice(1);
  return groups.map((g) => /aria-label="[^"]*series: ([^;"]+)/.exec(g)?.[1] ?? '?');
}

test('the XML checker rejects broken markup (so the SVG checks below mean something)', () => {
  assert.deepEqual(checkWellFormedXml('<svg a="1"><g><path d="M0"/></g></svg>'), ['svg', 'g', 'path']);
  assert.throws(() => checkWellFormedXml('<svg><g></svg>'), /does not match/);
  assert.throws(() => checkWellFormedXml('<svg a=1></svg>'), /not quoted/);
  assert.throws(() => checkWellFormedXml('<svg>a & b</svg>'), /unescaped &/);
  assert.throws(() => checkWellFormedXml('<svg></svg><svg></svg>'), /more than one root/);
  assert.throws(() => checkWellFormedXml('<svg a="1" a="2"></svg>'), /duplicate attribute/);
});

test('reward curves: well-formed SVG with one line and one band per agent, and a PNG', async () => {
  const agents = ['SAC', 'RPP-SAC', 'EMLP-SAC'];
  const pts: BandPoint[] = agents.flatMap((series, k) =>
    [1000, 2000, 3000].map((step) => ({ series, step, center: step / 10 + 50 * k, low: step / 10 + 50 * k - 20, high: step / 10 + 50 * k + 20, nSeeds: 5 })),
  );
  const svg = await renderSvg(bandCurveSpec(pts, { title: 'Hopper-v5 & friends', yTitle: 'return', seriesOrder: agents }));
  const names = checkWellFormedXml(svg);
  assert.equal(names[0], 'svg');
  assert.deepEqual(lineSeries(svg), agents);
  assert.equal(svg.split('class="mark-area role-mark band_marks"').length - 1, 3);
  assert.match(svg, /Hopper-v5 &amp; friends/);
  // Legend lists every agent.
  for (const a of agents) assert.ok(svg.includes(`>${a}</text>`), `legend entry ${a}`);
  const png = svgToPng(svg);
  assert.deepEqual([...png.subarray(0, 8)], [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  assert.ok(png.length > 5000);
});

test('box plot and heat map render to well-formed SVG with the expected marks', async () => {
  const box = await renderSvg(
    boxPlotSpec(
      [0, 1, 2, 3].flatMap((seed) => [
        { series: 'SAC', seed, value: 800 + seed },
        { series: 'RPP-SAC', seed, value: 900 + seed },
      ]),
      { title: 'final', yTitle: 'return' },
    ),
  );
  checkWellFormedXml(box);
  // 8 seed points, drawn as symbols of the "seeds" layer.
  const seedsGroup = box.split('class="mark-symbol role-mark seeds_marks"')[1] ?? '';
  assert.equal((seedsGroup.split('</g>')[0].match(/<path /g) ?? []).length, 8);

  const heat = await renderSvg(
    heatMapSpec(
      [
        { x: 1e-6, y: 1e-6, value: 10, nSeeds: 3 },
        { x: 1e-6, y: 1e-2, value: 20, nSeeds: 3 },
        { x: 1e-4, y: 1e-6, value: 30, nSeeds: 3 },
        { x: 1e-4, y: 1e-2, value: 40, nSeeds: 2 },
      ],
      { title: 'grid', xTitle: 'equiv_wd', yTitle: 'basic_wd', valueTitle: 'mean return' },
    ),
  );
  checkWellFormedXml(heat);
  const cells = heat.split('class="mark-rect role-mark cells_marks"')[1]?.split('</g>')[0] ?? '';
  assert.equal((cells.match(/<path /g) ?? []).length, 4);
  for (const t of ['10 (n=3)', '40 (n=2)', '>1e-6<', '>0.01<']) assert.ok(heat.includes(t), t);
});
