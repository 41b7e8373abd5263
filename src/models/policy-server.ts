/**
 * The built-in policy server: an OpenAI-compatible HTTP endpoint (`POST /v1/chat/completions`, `GET /v1/models`) on
 * 127.0.0.1 only, answering with the built-in policies, so tests and demos go through the real client and real HTTP
 * with no key and no network. Optional fault injection. Plain node:http: two routes do not justify a web framework.
 */

import { randomUUID } from 'node:crypto';
import { readdirSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { z } from 'zod';
import { LabgymError } from '../errors.js';
import type { ChatMessage } from '../store/index.js';
import { FaultInjector, type FaultKind, type FaultOptions } from './policies/faults.js';
import type { PolicyReply, PolicyRequest } from './policies/policy.js';
import { DEFAULT_TASKS_DIR, PolicyResolver, UnknownPolicyError } from './policies/resolve.js';
import { estimatePromptTokens, estimateTextTokens } from './usage.js';

export interface PolicyServerOptions {
  /** @default 0 (any free port) */
  readonly port?: number;
  /** Where tasks/<id>/policy.yaml live. @default the project's tasks/ */
  readonly tasksDir?: string;
  readonly faults?: FaultOptions;
  /** Include `usage` in answers (off: clients must estimate tokens). @default true */
  readonly reportUsage?: boolean;
  /** Called once per request, after it is answered (or hung up on). */
  readonly onExchange?: (exchange: PolicyExchange) => void;
}

export interface PolicyExchange {
  readonly model: string;
  readonly status: number;
  readonly fault?: FaultKind;
  /** The Authorization header as received: tests check that a key reached the endpoint and nothing else. */
  readonly authorization?: string;
}

export interface PolicyServer {
  /** Base URL for the OpenAI client, e.g. http://127.0.0.1:41234/v1. */
  readonly baseUrl: string;
  readonly port: number;
  close(): Promise<void>;
}

const HOST = '127.0.0.1';
const MAX_BODY_BYTES = 64 * 1024 * 1024;

const ContentSchema = z.union([
  z.string(),
  z.null(),
  z.array(z.looseObject({ type: z.string(), text: z.string().optional() })).transform((parts) => parts.map((part) => part.text ?? '').join('')),
]);

const RequestSchema = z.looseObject({
  model: z.string().min(1),
  messages: z
    .array(
      z.looseObject({
        role: z.enum(['system', 'developer', 'user', 'assistant', 'tool']),
        content: ContentSchema.optional(),
        tool_calls: z.array(z.looseObject({ id: z.string(), function: z.looseObject({ name: z.string(), arguments: z.string() }) })).optional(),
        tool_call_id: z.string().optional(),
      }),
    )
    .min(1),
  tools: z.array(z.looseObject({ function: z.looseObject({ name: z.string() }) })).optional(),
  seed: z.number().int().optional(),
  stream: z.boolean().optional(),
});

class BadRequest extends LabgymError {
  constructor(
    readonly status: number,
    message: string,
    readonly type = 'invalid_request_error',
    readonly errorCode: string | null = null,
  ) {
    super(message);
  }
}

function readBody(request: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    request.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) reject(new BadRequest(413, `request body over ${MAX_BODY_BYTES} bytes`));
      else chunks.push(chunk);
    });
    request.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    request.on('error', reject);
  });
}

function sendJson(response: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  response.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text), ...headers });
  response.end(text);
}

function toPolicyRequest(body: z.output<typeof RequestSchema>): PolicyRequest {
  const messages: ChatMessage[] = body.messages.map((message) => ({
    role: message.role === 'developer' ? 'system' : message.role,
    content: message.content ?? null,
    ...(message.tool_calls
      ? { toolCalls: message.tool_calls.map((call) => ({ id: call.id, name: call.function.name, arguments: call.function.arguments })) }
      : {}),
    ...(message.tool_call_id ? { toolCallId: message.tool_call_id } : {}),
  }));
  return { model: body.model, messages, toolNames: body.tools?.map((tool) => tool.function.name), seed: body.seed };
}

function completion(model: string, request: PolicyRequest, reply: PolicyReply, fault: FaultKind | undefined, reportUsage: boolean) {
  const toolCalls = reply.toolCalls?.map((call) => ({ id: call.id, type: 'function', function: { name: call.name, arguments: call.arguments } }));
  const promptTokens = estimatePromptTokens(request.messages);
  const completionTokens = estimateTextTokens(reply.content) + (reply.toolCalls ?? []).reduce((sum, call) => sum + estimateTextTokens(call.arguments), 0);
  return {
    id: `chatcmpl-${randomUUID()}`,
    object: 'chat.completion',
    created: Math.floor(Date.now() / 1000),
    model,
    choices: [
      {
        index: 0,
        message: { role: 'assistant', content: reply.content, ...(toolCalls?.length ? { tool_calls: toolCalls } : {}) },
        finish_reason: fault === 'truncated' ? 'length' : toolCalls?.length ? 'tool_calls' : 'stop',
      },
    ],
    ...(reportUsage ? { usage: { prompt_tokens: promptTokens, completion_tokens: completionTokens, total_tokens: promptTokens + completionTokens } } : {}),
  };
}

/** Start the server on 127.0.0.1. */
export async function startPolicyServer(options: PolicyServerOptions = {}): Promise<PolicyServer> {
  const resolver = new PolicyResolver(options.tasksDir);
  const faults = options.faults ? new FaultInjector(options.faults) : undefined;
  const reportUsage = options.reportUsage ?? true;

  const handleCompletion = async (request: IncomingMessage, response: ServerResponse, report: (status: number, model: string, fault?: FaultKind) => void) => {
    const text = await readBody(request);
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      throw new BadRequest(400, 'the request body is not JSON');
    }
    const parsed = RequestSchema.safeParse(json);
    if (!parsed.success) throw new BadRequest(400, `invalid request: ${z.prettifyError(parsed.error)}`);
    const body = parsed.data;
    if (body.stream) throw new BadRequest(400, 'streaming is not supported by the built-in policies; send stream: false');
    const policyRequest = toPolicyRequest(body);
    let policy: Awaited<ReturnType<PolicyResolver['resolve']>>;
    try {
      policy = await resolver.resolve(body.model, policyRequest);
    } catch (error) {
      if (error instanceof UnknownPolicyError)
        throw new BadRequest(404, `the model ${body.model} does not exist: ${error.message}`, 'invalid_request_error', 'model_not_found');
      if (error instanceof LabgymError) throw new BadRequest(400, error.message);
      throw error;
    }

    const fault = faults?.pick();
    switch (fault) {
      case 'error':
        report(500, body.model, fault);
        return sendJson(response, 500, { error: { message: 'injected server error', type: 'server_error', code: null } });
      case 'rate_limit':
        report(429, body.model, fault);
        return sendJson(
          response,
          429,
          { error: { message: 'injected rate limit', type: 'rate_limit_error', code: 'rate_limit_exceeded' } },
          { 'retry-after': String(faults!.options.retryAfterSeconds ?? 1) },
        );
      case 'hang':
        // Never answer: the client's timeout must end it. Reported when the client hangs up.
        response.on('close', () => report(0, body.model, fault));
        return;
      case 'slow':
        await new Promise((resolve) => setTimeout(resolve, faults!.options.slowMs ?? 300));
        break;
    }
    let reply = policy.reply(policyRequest);
    if (fault) reply = faults!.spoil(fault, reply);
    if (response.destroyed) return report(0, body.model, fault);
    report(200, body.model, fault);
    sendJson(response, 200, completion(body.model, policyRequest, reply, fault, reportUsage));
  };

  const server: Server = createServer((request, response) => {
    let reported = false;
    const report = (status: number, model: string, fault?: FaultKind) => {
      if (reported) return;
      reported = true;
      options.onExchange?.({ model, status, fault, authorization: request.headers.authorization });
    };
    const url = new URL(request.url ?? '/', `http://${HOST}`);
    const route = `${request.method} ${url.pathname.replace(/\/+$/, '')}`;
    const work =
      route === 'POST /v1/chat/completions'
        ? handleCompletion(request, response, report)
        : route === 'GET /v1/models'
          ? Promise.resolve(
              sendJson(response, 200, {
                object: 'list',
                data: ['scripted', ...resolver.scriptedTasks(listTaskDirs(options.tasksDir)).map((id) => `scripted:${id}`)].map((id) => ({
                  id,
                  object: 'model',
                  created: 0,
                  owned_by: 'labgym',
                })),
              }),
            )
          : Promise.reject(new BadRequest(404, `no route ${route}; this server has POST /v1/chat/completions and GET /v1/models`));
    work.catch((error: unknown) => {
      const status = error instanceof BadRequest ? error.status : 500;
      report(status, '');
      if (response.headersSent || response.destroyed) return;
      const message = error instanceof BadRequest ? error.message : `policy server error: ${(error as Error)?.message ?? String(error)}`;
      sendJson(response, status, {
        error: { message, type: error instanceof BadRequest ? error.type : 'server_error', code: error instanceof BadRequest ? error.errorCode : null },
      });
    });
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, HOST, () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  return {
    baseUrl: `http://${HOST}:${port}/v1`,
    port,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

function listTaskDirs(tasksDir: string | undefined): string[] {
  try {
    return readdirSync(tasksDir ?? DEFAULT_TASKS_DIR);
  } catch {
    return [];
  }
}
