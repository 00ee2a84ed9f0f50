// `npm start`: the same proxy on this machine, with no platform headers to strip by default.
import { start } from '../core/start';

start({ name: 'local' });
