import { start } from '../../core/start';
import { scfPlatform } from './platform';

start(scfPlatform);
