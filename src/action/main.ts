import { runAction } from './action.js';

await runAction();
// End when the outcome is published: a decoder still draining a refused input must not keep the step running.
process.exit();
