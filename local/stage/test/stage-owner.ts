/**
 * Run as a child process by freeze.test.ts: starts a stage with the options given as JSON (its one
 * argument), sends one request that leaves a timer behind, prints the answering environment's pid,
 * and stays up until it is killed.
 */
import { type StartStageOptions, startStage } from '../index';

const options = JSON.parse(process.argv[2] ?? '{}') as StartStageOptions;

startStage(options)
  .then((stage) => fetch(`${stage.url}/pets?work=cleared-timer`))
  .then((response) => response.json() as Promise<{ pid: number }>)
  .then((answer) => console.log(answer.pid));
setInterval(() => undefined, 1000);
