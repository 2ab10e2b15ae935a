/** `view.json`: what the viewer page loads, written by src/viewer/view-site.ts. */
export interface ViewManifest {
  envId: string;
  /** File name of the env's MJCF, served at envs/models/<modelFile>. */
  modelFile: string;
  /** The run's agent ('sac', 'rpp-sac', ...) and symmetry choice (config `symmetry`). */
  agent: string;
  symmetry: string;
  /** Default reset seed: the run's seed + 1000 (as `rpp-sac eval`). */
  seed: number;
  /** Run directory name, for the title. */
  run: string;
  /** policy/policy.json is present. */
  policy: boolean;
  /** recording.json is present. */
  recording: boolean;
}
