import { start } from '../../core/start';
import { fcPlatform } from './platform';

start(fcPlatform);
