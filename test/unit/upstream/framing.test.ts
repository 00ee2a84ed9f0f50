import type { IncomingMessage } from 'node:http';
import { keepChunkedFraming, unframedBodyRefusal } from '../../../core/upstream/framing';

describe('keepChunkedFraming', () => {
  it.each([
    [{ 'transfer-encoding': 'chunked' }, { 'transfer-encoding': 'chunked' }],
    [{ 'transfer-encoding': 'gzip, chunked' }, { 'transfer-encoding': 'chunked' }],
    [{ 'content-length': '3' }, { 'content-length': '3' }],
    [{}, {}],
  ])('%j → %j', (headers, expected) => {
    keepChunkedFraming(headers);
    expect(headers).toEqual(expected);
  });
});

describe('unframedBodyRefusal', () => {
  const req = (method: string, headers: Record<string, string>) => ({ method, headers }) as IncomingMessage;
  it.each([
    ['DELETE', { 'transfer-encoding': 'chunked' }, 400],
    ['OPTIONS', { 'transfer-encoding': 'chunked' }, 400],
    ['DELETE', { 'content-length': '4' }, undefined],
    ['DELETE', {}, undefined],
    ['GET', { 'transfer-encoding': 'chunked' }, undefined],
    ['POST', { 'transfer-encoding': 'chunked' }, undefined],
  ])('%s %j → %s', (method, headers, status) => {
    expect(unframedBodyRefusal(req(method, headers))?.status).toBe(status);
  });
});
