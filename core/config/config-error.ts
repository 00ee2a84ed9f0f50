import { OxyError } from '../errors';

/** The one-line error that stops the start (or the build) on a bad setting. */
export function configError(message: string): OxyError {
  return new OxyError('invalid_config', message, 500, 'config_error');
}
