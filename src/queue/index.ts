/** Distributed sweeps: a BullMQ job queue on Redis; see docs/distributed-sweeps.md. */
export { RUN_QUEUE_NAME, parseRunJob, runJobId, runDirOf, type RunJob } from './run-job.js';
export { enqueueRuns, type EnqueueOptions, type EnqueueReport } from './enqueue.js';
export { startWorker, type RunWorker, type RunWorkerOptions, type RunJobResult } from './worker.js';
export { queueStatus, formatQueueStatus, type SweepQueueStatus, type QueuedRun } from './queue-status.js';
export { readRunProgress, type RunProgress } from './run-dir-state.js';
export { parseRedisUrl, type RedisEndpoint } from './redis-url.js';
export { openRedis } from './connection.js';
export { enqueueSweep, queueArgs, runJobsOf, type EnqueueSweepOptions, type EnqueueSweepResult } from './enqueue-sweep.js';
