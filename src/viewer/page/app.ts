/// <reference lib="dom" />
/**
 * The viewer page. Loads view.json, the env's MJCF and the run's exported policy, runs
 * MuJoCo WebAssembly through the same env classes as Node (envs/registry.ts) and the
 * policy with tfjs (wasm backend by default; `?backend=webgpu`, `webgl` or `cpu`), and draws the
 * body with three.js. Modes: the policy live (optionally beside its mirror: the policy
 * run from the mirrored start state, with the live equivariance error), or playback of
 * a recording (`rpp-sac eval --record`) by re-applying its actions without the policy.
 *
 * `window.rppView` exposes a small API for tests (src/viewer tests drive it with a browser).
 */
import * as tf from '@tensorflow/tfjs';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import * as THREE from 'three';
import { loadPolicy, type LoadedPolicy } from '../../../agents/policy-loader.js';
import { specName } from '../../../agents/symmetry-choice.js';
import type { MujocoEnv } from '../../../envs/mujoco-env.js';
import { make } from '../../../envs/registry.js';
import { applySignedPerm, symmetry } from '../../../envs/symmetries.js';
import type { Env, SymmetrySpec } from '../../../envs/types.js';
import { unwrap } from '../../../envs/wrappers/wrapper.js';
import { Rng } from '../../random.js';
import { checkRecording, type EpisodeRecording } from '../../run/episode-record.js';
import { provideFile } from '../browser-shims/node-fs.js';
import { BodyView, TrackingCamera, floorOf } from './body-scene.js';
import type { ViewManifest } from './view-manifest.js';

const $ = <T extends HTMLElement>(id: string): T => document.getElementById(id) as T;

/** One simulated env with its episode counters. */
interface Runner {
  env: Env;
  inner: MujocoEnv;
  obs: Float32Array;
  ret: number;
  len: number;
}

interface Finished {
  ret: number;
  len: number;
}

async function fetchOk(url: string): Promise<Response> {
  const r = await fetch(url);
  if (!r.ok) throw new Error(`viewer: cannot fetch ${url} (HTTP ${r.status})`);
  return r;
}

function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}

async function newRunner(envId: string): Promise<Runner> {
  const env = await make(envId);
  return { env, inner: unwrap(env) as MujocoEnv, obs: new Float32Array(env.observationSpace.shape[0]), ret: 0, len: 0 };
}

/** What the page shows of the WebGPU adapter. */
interface AdapterNote {
  name: string;
  fallback: boolean;
}

/**
 * Registers tfjs's WebGPU backend when the browser offers an adapter, else throws what is
 * missing. Opt-in (`?backend=webgpu`), not the default: the viewer runs the policy on one
 * observation per step and waits for each action, where a GPU round trip costs more than
 * wasm's arithmetic.
 */
async function loadWebgpu(): Promise<AdapterNote> {
  type Adapter = { info?: { vendor?: string; architecture?: string; description?: string }; isFallbackAdapter?: boolean };
  const gpu = (navigator as unknown as { gpu?: { requestAdapter(): Promise<Adapter | null> } }).gpu;
  if (gpu === undefined) {
    throw new Error('viewer: this browser offers no WebGPU (navigator.gpu is missing: it needs a secure context, https or localhost, and on Linux Chromium the --enable-unsafe-webgpu flag). Drop ?backend=webgpu to use wasm.');
  }
  const adapter = await gpu.requestAdapter();
  if (adapter === null) throw new Error('viewer: WebGPU is offered but no adapter was found (no usable GPU driver?). Drop ?backend=webgpu to use wasm.');
  try {
    await import('@tensorflow/tfjs-backend-webgpu');
  } catch (err) {
    throw new Error(`viewer: the page was bundled without @tensorflow/tfjs-backend-webgpu (an optional dependency; npm install @tensorflow/tfjs-backend-webgpu@4.22.0, then run view again): ${(err as Error).message}`);
  }
  const i = adapter.info ?? {};
  return { name: [i.vendor, i.architecture, i.description].filter((x) => x !== undefined && x !== '').join(' ') || 'unnamed', fallback: adapter.isFallbackAdapter === true };
}

async function main(): Promise<void> {
  const base = new URL('./', location.href).href;
  const view = (await (await fetchOk(`${base}view.json`)).json()) as ViewManifest;
  provideFile(view.modelFile, await (await fetchOk(`${base}envs/models/${view.modelFile}`)).text());
  const backend = new URLSearchParams(location.search).get('backend') ?? 'wasm';
  setWasmPaths(base);
  const adapter = backend === 'webgpu' ? await loadWebgpu() : null;
  if (!(await tf.setBackend(backend))) throw new Error(`viewer: tfjs backend '${backend}' is not available in this browser.`);
  await tf.ready();

  const policy: LoadedPolicy | null = view.policy ? await loadPolicy(`${base}policy/`) : null;
  const recording: EpisodeRecording | null = view.recording ? checkRecording(await (await fetchOk(`${base}recording.json`)).json()) : null;
  let spec: SymmetrySpec | null = null;
  try {
    const s = symmetry(view.envId, specName(view.envId, view.agent === 'sac' ? 'auto' : view.symmetry));
    if (s.qpos !== undefined && s.qvel !== undefined) spec = s;
  } catch {
    spec = null; // no symmetry with state maps: no mirror view
  }

  const a = await newRunner(view.envId);
  const b = await newRunner(view.envId);
  const { model } = a.inner;
  const low = a.env.actionSpace.low;
  const high = a.env.actionSpace.high;

  // --- three.js scene: floor and lights on layer 0, the original body on layer 1, the mirror on layer 2.
  const host = $('view');
  const renderer = new THREE.WebGLRenderer({ antialias: true, preserveDrawingBuffer: true });
  renderer.setPixelRatio(Math.min(2, window.devicePixelRatio));
  renderer.shadowMap.enabled = true;
  host.appendChild(renderer.domElement);
  const scene = new THREE.Scene();
  scene.background = new THREE.Color(0x9fb4c8);
  scene.add(new THREE.HemisphereLight(0xffffff, 0x445566, 1.6));
  const sun = new THREE.DirectionalLight(0xffffff, 1.8);
  sun.position.set(-3, -4, 10);
  scene.add(sun);
  a.env.reset({ seed: view.seed });
  scene.add(floorOf(model, a.inner.data));
  const bodyA = new BodyView(model, 1);
  const bodyB = new BodyView(model, 2, new THREE.Color(0.3, 0.55, 1));
  scene.add(bodyA.group, bodyB.group);
  const camA = new TrackingCamera(model, 1);
  const camB = new TrackingCamera(model, 2);

  // --- UI state
  let mode: 'policy' | 'recording' = policy === null ? 'recording' : 'policy';
  let playing = false;
  let mirror = false;
  let deterministic = true;
  let speed = 1;
  let noise = new Rng(view.seed);
  let last: Finished | null = null;
  let episodes = 0;
  let equivError = NaN;
  let stateError = NaN;
  let playEpisode = 0;
  let playDrift = 0;
  let seed = view.seed;

  $('title').textContent = `${view.envId} · ${view.agent} · ${view.run}`;
  ($('seed') as HTMLInputElement).value = String(seed);
  ($('mirror') as HTMLInputElement).disabled = spec === null;
  if (spec === null) $('mirror').parentElement!.title = `${view.envId} has no symmetry with a state map`;
  ($('mode-policy') as HTMLInputElement).disabled = policy === null;
  ($('mode-recording') as HTMLInputElement).disabled = recording === null;
  ($(mode === 'policy' ? 'mode-policy' : 'mode-recording') as HTMLInputElement).checked = true;
  const epSelect = $('episode') as HTMLSelectElement;
  recording?.episodes.forEach((ep, i) => epSelect.add(new Option(`${i} (return ${ep.return.toFixed(1)}, ${ep.length} steps)`, String(i))));
  $('episode-label').style.display = recording === null ? 'none' : '';

  // The policy is read with `await data()` on every backend: WebGPU has no reliable
  // synchronous read, and on wasm the await costs nothing measurable at one step per call.
  const detAction = (obs: Float32Array): Promise<Float32Array> => policy!.actAsync(obs);
  const squash = (u: ArrayLike<number>): Float32Array => {
    const out = new Float32Array(u.length);
    for (let j = 0; j < u.length; j++) out[j] = low[j] + (Math.tanh(u[j]) + 1) * ((high[j] - low[j]) / 2);
    return out;
  };

  const startMirror = (): void => {
    if (spec === null) return;
    b.env.reset({ seed });
    const s = a.inner.getState();
    b.inner.setState(applySignedPerm(spec.qpos!, s.qpos), applySignedPerm(spec.qvel!, s.qvel));
    b.obs.set(b.inner.observe());
    b.ret = 0;
    b.len = 0;
  };

  function reset(newSeed: number | null): void {
    if (mode === 'recording' && recording !== null) {
      const ep = recording.episodes[playEpisode];
      a.inner.reset({ seed: recording.seed });
      a.inner.setState(ep.qpos[0], ep.qvel[0]);
      a.ret = 0;
      a.len = 0;
      playDrift = 0;
      return;
    }
    if (newSeed !== null) {
      seed = newSeed;
      ($('seed') as HTMLInputElement).value = String(seed);
    }
    a.obs.set(a.env.reset(newSeed === null ? {} : { seed: newSeed }).observation);
    a.ret = 0;
    a.len = 0;
    noise = new Rng(seed + episodes);
    if (mirror) startMirror();
  }

  /** One env step of the current mode; false when a recorded episode has ended. */
  async function stepOnce(): Promise<boolean> {
    if (mode === 'recording') {
      const ep = recording!.episodes[playEpisode];
      if (a.len >= ep.length) return false;
      const r = a.inner.step(ep.actions[a.len]);
      a.ret += r.reward;
      a.len += 1;
      const s = a.inner.getState();
      playDrift = Math.max(playDrift, maxAbsDiff(s.qpos, ep.qpos[a.len]), maxAbsDiff(s.qvel, ep.qvel[a.len]));
      return true;
    }
    let action: Float32Array;
    let mirrorAction: Float32Array | null = null;
    if (deterministic) {
      action = await detAction(a.obs);
      if (mirror && spec !== null) mirrorAction = await detAction(b.obs);
    } else {
      const m = await policy!.meanAsync(a.obs);
      const sd = await policy!.stdAsync(a.obs);
      const eps = Float64Array.from({ length: m.length }, () => noise.normal());
      action = squash(m.map((x, j) => x + sd[j] * eps[j]));
      if (mirror && spec !== null) {
        // The mirror gets the mirrored noise, so an equivariant policy keeps the two runs mirror images.
        const mb = await policy!.meanAsync(b.obs);
        const sb = await policy!.stdAsync(b.obs);
        const epsB = applySignedPerm(spec.act, eps);
        mirrorAction = squash(mb.map((x, j) => x + sb[j] * epsB[j]));
      }
    }
    if (mirror && spec !== null) {
      // Live equivariance error of the policy at the current state: |pi(g o) - g pi(o)|_inf (deterministic actions).
      const gObs = Float32Array.from(applySignedPerm(spec.obs, a.obs));
      equivError = maxAbsDiff(await detAction(gObs), applySignedPerm(spec.act, await detAction(a.obs)));
    }
    const r = a.env.step(action);
    a.ret += r.reward;
    a.len += 1;
    a.obs.set(r.observation);
    if (mirrorAction !== null) {
      const rb = b.env.step(mirrorAction);
      b.ret += rb.reward;
      b.len += 1;
      b.obs.set(rb.observation);
      const sa = a.inner.getState();
      const sb = b.inner.getState();
      stateError = Math.max(maxAbsDiff(applySignedPerm(spec!.qpos!, sa.qpos), sb.qpos), maxAbsDiff(applySignedPerm(spec!.qvel!, sa.qvel), sb.qvel));
    }
    if (r.terminated || r.truncated) {
      last = { ret: a.ret, len: a.len };
      episodes += 1;
      reset(null);
    }
    return true;
  }

  function readout(): void {
    const lines = [`mode      ${mode}${mode === 'policy' ? (deterministic ? ' (deterministic)' : ' (stochastic)') : ` (episode ${playEpisode})`}`, `step      ${a.len}`, `return    ${a.ret.toFixed(3)}`];
    if (mode === 'policy') {
      lines.push(`last ep   ${last === null ? '–' : `return ${last.ret.toFixed(2)}, length ${last.len}`}`, `episodes  ${episodes}`, `seed      ${seed}`);
      if (mirror) lines.push(`mirror return ${b.ret.toFixed(3)}`, `equiv err |π(g·o) − g·π(o)|∞ ${equivError.toExponential(2)}`, `state err |g·s − s_mirror|∞ ${stateError.toExponential(2)}`);
    } else {
      const ep = recording!.episodes[playEpisode];
      lines.push(`length    ${ep.length} (recorded return ${ep.return.toFixed(3)})`, `drift from recorded frames ${playDrift.toExponential(2)}`);
    }
    $('readout').textContent = lines.join('\n');
  }

  function render(): void {
    const w = host.clientWidth;
    const h = host.clientHeight;
    renderer.setSize(w, h, false);
    bodyA.update(a.inner.data);
    camA.follow(a.inner.data);
    bodyB.group.visible = mirror && mode === 'policy';
    renderer.setScissorTest(true);
    if (bodyB.group.visible) {
      bodyB.update(b.inner.data);
      camB.follow(b.inner.data);
      for (const [cam, x] of [[camA.camera, 0], [camB.camera, Math.floor(w / 2)]] as const) {
        cam.aspect = w / 2 / h;
        cam.updateProjectionMatrix();
        renderer.setViewport(x, 0, Math.floor(w / 2), h);
        renderer.setScissor(x, 0, Math.floor(w / 2), h);
        renderer.render(scene, cam);
      }
    } else {
      camA.camera.aspect = w / h;
      camA.camera.updateProjectionMatrix();
      renderer.setViewport(0, 0, w, h);
      renderer.setScissor(0, 0, w, h);
      renderer.render(scene, camA.camera);
    }
    readout();
  }

  // --- controls. Everything that steps or resets runs through `serial`, one at a time: a
  // step awaits the policy, and a click must not reset the env in the middle of one.
  // A failure is shown in the status line and rejects the caller's promise (the test API's);
  // later work still runs.
  let chain: Promise<void> = Promise.resolve();
  const serial = (fn: () => void | Promise<void>): Promise<void> => {
    const run = chain.then(fn);
    chain = run.catch((err: unknown) => {
      setPlaying(false);
      $('status').textContent = `error: ${err instanceof Error ? err.message : String(err)}`;
      console.error(err);
    });
    return run;
  };
  /** UI callbacks: serial, with the failure already reported. */
  const ui = (fn: () => void | Promise<void>): void => void serial(fn).catch(() => undefined);
  const setPlaying = (p: boolean): void => {
    playing = p;
    $('play').textContent = p ? 'pause' : 'play';
  };
  $('play').onclick = () => setPlaying(!playing);
  $('step').onclick = () =>
    ui(async () => {
      setPlaying(false);
      await stepOnce();
      render();
    });
  $('reset').onclick = () =>
    ui(() => {
      episodes = 0;
      last = null;
      reset(Number(($('seed') as HTMLInputElement).value));
      render();
    });
  $('speed').onchange = (e) => (speed = Number((e.target as HTMLSelectElement).value));
  $('deterministic').onchange = (e) => (deterministic = (e.target as HTMLInputElement).checked);
  $('mirror').onchange = (e) =>
    ui(() => {
      mirror = (e.target as HTMLInputElement).checked;
      if (mirror) startMirror();
      render();
    });
  for (const id of ['mode-policy', 'mode-recording']) {
    $(id).onchange = (e) =>
      ui(() => {
        mode = (e.target as HTMLInputElement).value as typeof mode;
        reset(seed);
        render();
      });
  }
  epSelect.onchange = () =>
    ui(() => {
      playEpisode = Number(epSelect.value);
      reset(null);
      render();
    });

  let due = 0;
  let prev = performance.now();
  // The next frame is requested once this one's steps are done, so frames never overlap.
  const frame = (now: number): void =>
    void serial(async () => {
      const dtReal = Math.min(0.1, (now - prev) / 1000);
      prev = now;
      if (playing) {
        due += (dtReal * speed) / a.env.metadata.dt;
        for (let k = 0; k < 20 && due >= 1; k++, due -= 1) {
          if (!(await stepOnce())) {
            setPlaying(false);
            break;
          }
        }
        due = Math.min(due, 1);
      }
      render();
    })
      .catch(() => undefined)
      .then(() => requestAnimationFrame(frame));

  reset(seed);
  render();
  requestAnimationFrame(frame);
  const adapterNote = adapter === null ? '' : ` (${adapter.name}${adapter.fallback ? ', software fallback' : ''})`;
  $('status').textContent = `${tf.getBackend()} backend${adapterNote} · ${policy === null ? 'no policy' : `policy ${policy.manifest.agentKind}`}${recording === null ? '' : ` · recording of ${recording.episodes.length} episode(s)`}${spec === null ? '' : ` · symmetry ${spec.name}`}`;

  // --- test API: each call works on its own env, or on the UI state where it says so.
  const api = {
    ready: true,
    view,
    backend: tf.getBackend(),
    adapter,
    /** Per-step rewards of a deterministic rollout on a fresh env: reset(seed), then later episodes continue the env RNG. */
    async rollout(seed0: number, steps: number): Promise<number[]> {
      const r = await newRunner(view.envId);
      const rewards: number[] = [];
      r.obs.set(r.env.reset({ seed: seed0 }).observation);
      while (rewards.length < steps) {
        const s = r.env.step(await policy!.actAsync(r.obs));
        rewards.push(s.reward);
        if (s.terminated || s.truncated) r.obs.set(r.env.reset().observation);
        else r.obs.set(s.observation);
      }
      r.env.close();
      return rewards;
    },
    /** Play recorded episode `i` to its end through the UI's playback path; the final state and the largest drift. */
    async playRecording(i: number): Promise<{ steps: number; qpos: number[]; qvel: number[]; drift: number; ret: number }> {
      let out = { steps: 0, qpos: [] as number[], qvel: [] as number[], drift: 0, ret: 0 };
      await serial(async () => {
        mode = 'recording';
        playEpisode = i;
        setPlaying(false);
        reset(null);
        while (await stepOnce());
        render();
        const s = a.inner.getState();
        out = { steps: a.len, qpos: Array.from(s.qpos), qvel: Array.from(s.qvel), drift: playDrift, ret: a.ret };
      });
      return out;
    },
    /** Switch to the live policy (optionally mirrored, optionally stochastic), reset with `seed0`, take `n` steps and draw. */
    async runPolicy(seed0: number, n: number, withMirror: boolean, stochastic = false): Promise<{ step: number; ret: number; equivError: number; stateError: number }> {
      let out = { step: 0, ret: 0, equivError: NaN, stateError: NaN };
      await serial(async () => {
        mode = 'policy';
        mirror = withMirror && spec !== null;
        deterministic = !stochastic;
        ($('deterministic') as HTMLInputElement).checked = deterministic;
        ($('mirror') as HTMLInputElement).checked = mirror;
        ($('mode-policy') as HTMLInputElement).checked = true;
        setPlaying(false);
        reset(seed0);
        for (let k = 0; k < n; k++) await stepOnce();
        render();
        out = { step: a.len, ret: a.ret, equivError, stateError };
      });
      return out;
    },
    play(p: boolean): void {
      setPlaying(p);
    },
  };
  (window as unknown as { rppView: typeof api }).rppView = api;
}

main().catch((err: unknown) => {
  const msg = err instanceof Error ? err.message : String(err);
  const status = document.getElementById('status');
  if (status !== null) status.textContent = `error: ${msg}`;
  (window as unknown as { rppViewError: string }).rppViewError = msg;
  console.error(err);
});
