/**
 * The built-in policies' contract: a policy sees only what a model sees (the request's messages, tools and
 * seed) and answers with one assistant message. Also how a policy writes an action in the format the agent
 * asked for (MLGym's fenced block, XML <command>, or a native tool call) and reads its own actions back.
 */

import type { ChatMessage, ResponseFormat, ToolCall } from '../../store/index.js';

export interface PolicyRequest {
  readonly model: string;
  readonly messages: readonly ChatMessage[];
  /** Names of the tools offered (native tool-calling mode). */
  readonly toolNames?: readonly string[];
  readonly seed?: number;
}

export interface PolicyReply {
  readonly content: string;
  readonly toolCalls?: readonly ToolCall[];
}

export interface Policy {
  reply(request: PolicyRequest): PolicyReply;
}

/** The format the agent expects: tools offered -> tool calls; a prompt that asks for <command> -> XML; else MLGym's. */
export function responseFormatOf(request: PolicyRequest): ResponseFormat {
  if (request.toolNames?.length) return 'tools';
  const system = request.messages.find((message) => message.role === 'system')?.content ?? '';
  return system.includes('<command>') ? 'xml' : 'mlgym';
}

/** The tool and arguments for an action: a zero-argument ACI tool when one is offered, else `bash`. */
function toolCallFor(action: string, toolNames: readonly string[], id: string): ToolCall {
  const word = action.trim();
  if (toolNames.includes(word)) return { id, name: word, arguments: '{}' };
  return { id, name: 'bash', arguments: JSON.stringify({ command: action }) };
}

/** Write a thought and an action as the assistant message the agent's parser expects. */
export function renderReply(request: PolicyRequest, thought: string, action: string): PolicyReply {
  switch (responseFormatOf(request)) {
    case 'tools': {
      const id = `call_${request.messages.filter((message) => message.role === 'assistant').length + 1}`;
      return { content: thought, toolCalls: [toolCallFor(action, request.toolNames ?? [], id)] };
    }
    case 'xml':
      return { content: `${thought}\n\n<command>\n${action}\n</command>` };
    case 'mlgym':
      return { content: `DISCUSSION\n${thought}\n\n\`\`\`\n${action}\n\`\`\`` };
  }
}

/**
 * The action of an assistant message written by renderReply, or undefined for anything else (an injected
 * fault, another model's output). Strict on purpose: a message with two blocks is not one of ours.
 */
export function actionOfReply(message: ChatMessage): string | undefined {
  if (message.toolCalls?.length) {
    if (message.toolCalls.length !== 1) return undefined;
    const call = message.toolCalls[0]!;
    if (call.name !== 'bash') return call.arguments === '{}' ? call.name : undefined;
    try {
      const command = (JSON.parse(call.arguments) as { command?: unknown }).command;
      return typeof command === 'string' ? command : undefined;
    } catch {
      return undefined;
    }
  }
  const content = message.content ?? '';
  const xml = content.match(/<command>\n([\s\S]*)\n<\/command>$/);
  if (xml && content.split('<command>').length === 2) return xml[1];
  const fenced = content.match(/^DISCUSSION\n[\s\S]*?\n\n```\n([\s\S]*)\n```$/);
  if (fenced && content.split('```').length === 3) return fenced[1];
  return undefined;
}
