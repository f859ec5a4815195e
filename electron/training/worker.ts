// Entry point of the training worker process. Runs as an Electron utility process (messages on
// process.parentPort, payload in event.data) or as a plain Node child (child_process.fork, messages
// via process.send / process.on('message')), so tests, browser mode and the app share it.
import * as tf from '@tensorflow/tfjs';
import type { FromWorker } from '../worker-protocol/messages.js';
import { createMessageHandler } from './engine/message-handler.js';
import { realEngineDeps } from './engine/parts.js';

interface ParentPort {
  on(event: 'message', listener: (event: { data: unknown }) => void): void;
  postMessage(message: unknown): void;
}

// Production mode: no debug checks, and no console banner suggesting a backend the ladder has
// already considered (each run records the rung it used and why).
tf.env().set('PROD', true);

const parentPort = (process as unknown as { parentPort?: ParentPort }).parentPort;

function send(message: FromWorker): void {
  try {
    if (parentPort) parentPort.postMessage(message);
    else if (process.send && process.connected) process.send(message);
  } catch (err) {
    // The parent is gone; nothing can be reported any more.
    process.stderr.write(`training worker could not send ${message.type}: ${(err as Error).message}\n`);
  }
}

if (!parentPort && !process.send) {
  process.stderr.write('The training worker must be started by the app (utility process or child_process.fork).\n');
  process.exit(2);
}

const handler = createMessageHandler(send, realEngineDeps());
process.on('uncaughtException', (err) => handler.crash(err));
process.on('unhandledRejection', (reason) => handler.crash(reason));

if (parentPort) {
  parentPort.on('message', (event) => handler.handle(event?.data));
} else {
  process.on('message', (message) => handler.handle(message));
  // Without a parent there is no one to work for.
  process.on('disconnect', () => process.exit(0));
}
