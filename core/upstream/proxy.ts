import type { ClientRequest, IncomingMessage, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { Readable } from 'node:stream';
// The factory alone: the package index also loads response interceptors (zlib, querystring) oxy never uses.
import { createProxyMiddleware } from 'http-proxy-middleware/dist/factory';
import type { Options } from 'http-proxy-middleware/dist/types';
import type { Config } from '../config';
import { breakAnswer, markEventStream } from '../edge/broken-answer';
import { OxyError, sendError } from '../errors';
import { requestHeaderFilter } from '../headers/request-headers';
import { isEventStream, responseHeaderFilter } from '../headers/response-headers';
import type { Logger } from '../logger';
import { AnswerTap, tapAnswer } from '../logs/answer-tap';
import { chatLog } from '../logs/chat-log';
import { logRegionRefusal, logUpstreamFailure } from '../logs/upstream-events';
import type { Platform } from '../platform';
import type { Upstream } from '../routing/route';
import type { RouteConfig } from '../routing/route-table';
import type { Exchange } from '../step';
import { upstreamAgent } from './agent';
import { answerHeaders } from './answer-headers';
import { relayAnswer } from './answer-relay';
import { bodyLengthOf, releaseBuffersOf } from './buffer-release';
import { REPLAY_LIMIT, type Replay, failover } from './failover';
import { upstreamBadResponse, upstreamCut, upstreamFailure } from './failures';
import { type Framing, applyFraming, framedLength, requestFraming } from './framing';
import type { KeyPool } from './key-pool';
import { abortOnHangUp } from './hang-up';
import { poolKeyHeader } from './pool-key-header';
import { engineTarget } from './engine-target';
import { outgoingOptions } from './outgoing-options';
import { type AnswerFilter, moderatedStream, unreadableStream } from './moderated-answer';
import { watchTimeouts } from './timeouts';
import { nowMs } from '../clock';

/** One request's way through the upstream, from the client's request before its headers are filtered. */
interface Attempt {
  ex: Exchange;
  /** The request's prompt for the chat log, once its body has been read (logs/chat-log.ts). */
  prompt?: () => object | undefined;
  framing: Framing;
  replay?: Replay;
  /** nowMs() when the request left for the upstream. */
  sent: number;
  /** The body, when the prompt gate has read it already (moderation/prompt-gate.ts). */
  body?: Buffer;
  /** Moderation blocked the answer and ended it: the upstream's closing is no failure then. */
  blocked?: boolean;
}

/** The attempt in flight for a request: a field of its own rather than a WeakMap entry every GC visits. */
const ATTEMPT = Symbol('oxy.attempt');

type Attempted = IncomingMessage & { [ATTEMPT]?: Attempt };

/**
 * Builds the upstreams: each filters the request, hands it to http-proxy-middleware and streams the answer
 * back, retrying once with another pool key when its key is refused before anything reached the client.
 */
export function upstreams(config: Config, platform: Platform, log: Logger) {
  const filterRequest = requestHeaderFilter([
    ...config.hopHeaderPrefixes,
    ...(platform.credentialHeaderPrefixes ?? []),
  ]);
  // The upstream's own CORS headers go: oxy answers CORS for every route alike (access/cors.ts).
  const filterResponse = responseHeaderFilter(platform.forbiddenResponseHeaders, {
    prefixes: ['access-control-'],
  });
  const chat = config.logChat ? chatLog(log) : undefined;
  const limits = {
    connectMs: config.connectTimeoutMs,
    headersMs: config.headersTimeoutMs,
    idleMs: config.idleTimeoutMs,
  };

  return (route: RouteConfig, pool: KeyPool | undefined, moderate?: AnswerFilter): Upstream => {
    const agent = upstreamAgent(route.target);
    const host = route.target.host;
    const options: Options<IncomingMessage, ServerResponse> = {
      target: engineTarget(route.target),
      xfwd: false,
      // No changeOrigin: Host is set from the target in onProxyReq, like the path and the framing.
      // http-proxy's own path (a url.parse, which throws on `//x@[::1`, and a join that collapses `//`) is
      // skipped, both parts of it: onProxyReq writes the path.
      toProxy: true,
      ignorePath: true,
      prependPath: false,
      agent: agent.agent,
      selfHandleResponse: true,
    };
    let server: { web(req: IncomingMessage, res: ServerResponse, options?: object): void } | undefined;

    const onProxyReq = (proxyReq: ClientRequest, req: IncomingMessage, res: ServerResponse): void => {
      const attempt = (req as Attempted)[ATTEMPT];
      // The request line, Host and framing are written here, once, over whatever http-proxy derived: its URL
      // join collapses `//` and rewrites `http:/` inside paths. Too late (headers already out) fails closed.
      if (!attempt || !applyFraming(proxyReq, attempt.framing)) {
        return void proxyReq.destroy(new OxyError('internal_error', 'The request could not be framed.', 500));
      }
      proxyReq.path = attempt.ex.path!;
      proxyReq.setHeader('host', host);
      // A moderated answer must be readable as it streams: no compression.
      if (moderate) proxyReq.setHeader('accept-encoding', 'identity');
      watchTimeouts(proxyReq, limits);
      // oxy never asks for an upgrade: a 101 is a broken upstream. Without this listener Node drops the socket
      // and the client waits forever. (Destroying the request with an error would not reach http-proxy's error
      // handler here: after an upgrade the request no longer owns the socket.)
      proxyReq.on('upgrade', (_: IncomingMessage, socket: Socket) => {
        socket.destroy();
        onError(upstreamBadResponse(101), req, res);
      });
      abortOnHangUp(proxyReq, req, attempt.ex);
      // A retry's listeners were added on the first try; a body the prompt gate read has nothing left to read.
      if (attempt.body && chat && !attempt.prompt) attempt.prompt = chat.readBody(attempt.body);
      if (attempt.replay?.used || attempt.body) return;
      // http-proxy has piped the body by now ('proxyReq' comes on 'socket'), so these listeners lose nothing.
      const { replay } = attempt;
      // The chunks only: whether they are the whole body is the request's own `readableEnded`.
      if (replay) req.on('data', (c: Buffer) => replay.chunks.push(c));
      releaseBuffersOf(req, framedLength(attempt.framing));
      if (attempt.framing.kind === 'chunked')
        req.on('data', (c: Buffer) => (attempt.ex.bytesIn = (attempt.ex.bytesIn ?? 0) + c.length));
      if (chat) attempt.prompt = chat.request(req);
    };

    const onProxyRes = (proxyRes: IncomingMessage, req: IncomingMessage, res: ServerResponse): void => {
      const status = proxyRes.statusCode ?? 0;
      // Node consumes 100, 102 and 103 itself; any other status below 200 here is not a final answer.
      if (status < 200) {
        proxyRes.destroy();
        return onError(upstreamBadResponse(status), req, res);
      }
      const attempt = (req as Attempted)[ATTEMPT]!;
      const { ex } = attempt;
      const body = pool && failover(proxyRes, req, ex, attempt.replay, pool, log);
      if (body && server) {
        proxyRes.resume();
        return server.web(req, res, { ...options, buffer: Readable.from([body]) });
      }
      const stream = isEventStream(proxyRes.headers);
      const now = nowMs();
      const upstreamId = proxyRes.headers['x-request-id'];
      ex.upstream = {
        status,
        headersMs: now - ex.start,
        requestId: typeof upstreamId === 'string' ? upstreamId : undefined,
        stream,
        bytesOut: 0,
      };
      try {
        const times = { arrived: ex.start, sent: attempt.sent, answered: now };
        res.writeHead(status, answerHeaders(proxyRes, res, filterResponse, times));
      } catch (err) {
        // A header value Node refuses to write (invalid characters from the upstream).
        proxyRes.destroy();
        return onError(err, req, res);
      }
      // SSE: headers go out now, not with the first event, so clients see the stream open at once.
      if (stream) {
        markEventStream(res);
        res.flushHeaders();
      }
      const tap = new AnswerTap(proxyRes, ex.upstream, () => logRegionRefusal(log, ex, route.prefix));
      if (stream && moderate && status < 300) {
        if (!moderatedStream(proxyRes, res, attempt, moderate)) return onError(unreadableStream(), req, res);
        tapAnswer(proxyRes, tap);
      } else {
        relayAnswer(proxyRes, res, tap);
      }
      if (chat && attempt.prompt) chat.answer(proxyRes, ex, attempt.prompt);
      releaseBuffersOf(proxyRes, bodyLengthOf(proxyRes));
      // An upstream failure mid-body breaks the answer off visibly instead of ending it cleanly. (A client
      // hang-up is abortOnHangUp's.) 'close' alone: an IncomingMessage emits 'error' only to listeners it
      // has, and always closes.
      proxyRes.on('close', () => {
        if (!proxyRes.complete && !attempt.blocked) breakAnswer(res, upstreamCut());
      });
    };

    const onError = (err: unknown, req: IncomingMessage, res: ServerResponse): void => {
      const failure = upstreamFailure(err);
      if (!req.socket.destroyed && !res.writableEnded) {
        logUpstreamFailure(log, req, (req as Attempted)[ATTEMPT]?.ex, route.prefix, failure, err);
      }
      sendError(res, failure);
    };

    // http-proxy-middleware configures the engine (http-proxy and our plugin); requests go to the engine
    // directly: hpm's per-request path filter runs the legacy url.parse on the raw target, which reads
    // `//user@host` as a host and then drops the request (a 500), and prints Node's DEP0170 warning.
    createProxyMiddleware<IncomingMessage, ServerResponse>({
      ...options,
      // hpm's default plugins map ECONNREFUSED to 504 and log full URLs; ours is the one plugin.
      ejectPlugins: true,
      plugins: [
        (proxyServer) => {
          server = proxyServer as unknown as typeof server;
          // The engine's options are the object hpm made it with (`{}`), filled in here once: `web(req, res)`
          // then runs on them as they are, where passing options would copy them into a new object per request.
          const engineOptions = (proxyServer as unknown as { options: object }).options;
          Object.assign(engineOptions, options);
          // Enumerable: a request's own options (a failover retry's) are copied from these, getter run.
          Object.defineProperty(engineOptions, 'ssl', { get: outgoingOptions, enumerable: true });
          proxyServer.on('proxyReq', onProxyReq);
          proxyServer.on('proxyRes', onProxyRes);
          proxyServer.on('error', (err, req, res) => onError(err, req, res as ServerResponse));
        },
      ],
    });

    return (req, res, ex, fail, body) => {
      const framing = requestFraming(req.headers);
      // A chunked body is counted as it streams (onProxyReq).
      ex.bytesIn = framing.kind === 'length' ? Number(framing.length) : 0;
      const replayable =
        ex.poolKey !== undefined &&
        (framing.kind === 'none' || (framing.kind === 'length' && Number(framing.length) <= REPLAY_LIMIT));
      (req as Attempted)[ATTEMPT] = {
        ex,
        framing,
        replay: replayable ? { chunks: body ? [body] : [], used: false } : undefined,
        sent: nowMs(),
        body,
      };
      req.headers = filterRequest(req.headers);
      poolKeyHeader(req.headers, ex);
      agent.dropStale();
      try {
        if (body) server!.web(req, res, { ...options, buffer: Readable.from([body]) });
        else server!.web(req, res);
      } catch (err) {
        // http-proxy refused to build the request (an invalid header value, say): oxy's own failure.
        fail(err);
      }
    };
  };
}
