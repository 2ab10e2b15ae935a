/** The viewer's HTML page (the bundle app.js builds everything else). */
export const INDEX_HTML = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>rpp-sac viewer</title>
<link rel="icon" href="data:,">
<style>
  html, body { margin: 0; height: 100%; font: 13px system-ui, sans-serif; background: #1d2026; color: #e6e6e6; }
  #view { position: absolute; inset: 0 0 0 300px; }
  #view canvas { display: block; width: 100%; height: 100%; }
  #panel { position: absolute; left: 0; top: 0; bottom: 0; width: 284px; padding: 8px; overflow: auto; background: #262a31; }
  #panel h1 { font-size: 15px; margin: 4px 0 8px; }
  #panel fieldset { border: 1px solid #444a55; margin: 0 0 8px; padding: 6px; }
  #panel button { margin: 2px; }
  #panel input[type=number] { width: 80px; }
  #readout { font-family: ui-monospace, monospace; font-size: 12px; white-space: pre-wrap; line-height: 1.5; }
  #status { color: #f0b070; }
</style>
</head>
<body>
<div id="panel">
  <h1 id="title">rpp-sac viewer</h1>
  <div id="status">loading…</div>
  <fieldset><legend>Source</legend>
    <label><input type="radio" name="mode" value="policy" id="mode-policy" checked> policy</label>
    <label><input type="radio" name="mode" value="recording" id="mode-recording"> recording</label>
    <label id="episode-label"> episode <select id="episode"></select></label>
  </fieldset>
  <fieldset><legend>Controls</legend>
    <button id="play">play</button><button id="step">step</button><button id="reset">reset</button><br>
    <label>seed <input type="number" id="seed" min="0" step="1"></label><br>
    <label>speed <select id="speed"><option>0.25</option><option>0.5</option><option selected>1</option><option>2</option><option>4</option></select>×</label><br>
    <label><input type="checkbox" id="deterministic" checked> deterministic actions</label><br>
    <label><input type="checkbox" id="mirror"> mirror view</label>
  </fieldset>
  <fieldset><legend>Readout</legend><div id="readout"></div></fieldset>
</div>
<div id="view"></div>
<script type="module" src="./app.js"></script>
</body>
</html>
`;
