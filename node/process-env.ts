/**
 * Environment the engine child process must be started with, by whichever spawner starts it.
 *
 * UV_THREADPOOL_SIZE=1: node-llama-cpp runs each evaluation on a libuv pool thread, and every pool
 * thread gets its own OpenMP team; with the default pool of 4 the teams fight over the cores
 * (measured on a 510M minimax-m2: 41 tok/s by default, 121 tok/s with 1). libuv reads it once, at
 * process start, so it cannot be set from inside the engine.
 */
export const ENGINE_PROCESS_ENV = { UV_THREADPOOL_SIZE: "1" } as const;
