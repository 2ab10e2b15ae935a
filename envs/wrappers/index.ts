export { Wrapper, unwrap } from './wrapper.js';
export { TimeLimit } from './time-limit.js';
export { RecordEpisodeStatistics, type EpisodeStatistics } from './record-episode-statistics.js';
export { RescaleAction } from './rescale-action.js';
