import { createInterface } from 'node:readline/promises';
import { WorkflowUpdateFailedError, type Client } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import type { Config } from '../../config';
import { ChatInputError, readTranscript, sendMessage, type SendOptions } from '../../conversations/client';
import { conversationWorkflowId, type MessageReply } from '../../conversations/contract';
import { parsePersonSpec, PERSON_SPEC, type ChatPerson } from '../../conversations/schema';
import { isPriorityTier } from '../../shared/priority';
import { CliError, connect, EXIT, uiLink, type CliArea, type CommonFlags } from '../shared';

/**
 * `--as buyer:B001` reaches us either as `extra.as` (written `--as=buyer:B001`) or, because the
 * shared parser does not know the flag, as `extra.as === true` plus the spec among the positionals.
 */
function personAndWords(positionals: string[], flags: CommonFlags): { person: ChatPerson; words: string[] } {
  const words = [...positionals];
  let spec = typeof flags.extra.as === 'string' ? flags.extra.as : undefined;
  if (spec === undefined && flags.extra.as === true) {
    const at = words.findIndex((w) => PERSON_SPEC.test(w));
    if (at >= 0) spec = words.splice(at, 1)[0];
  }
  if (spec === undefined) throw new CliError('chat needs --as buyer:<code> or --as consignor:<code>', EXIT.badInput);
  const person = parsePersonSpec(spec);
  if (!person) throw new CliError(`--as must look like buyer:B001 or consignor:C007, got ${spec}`, EXIT.badInput);
  return { person, words };
}

function sendOptions(flags: CommonFlags): SendOptions {
  if (flags.priority !== undefined && !isPriorityTier(flags.priority)) {
    throw new CliError(`--priority must be vip, regular or background, got ${flags.priority}`, EXIT.badInput);
  }
  const lang = flags.extra.lang;
  if (lang !== undefined && lang !== 'uk' && lang !== 'en') throw new CliError('--lang must be written --lang=uk or --lang=en', EXIT.badInput);
  return {
    ...(flags.priority !== undefined && isPriorityTier(flags.priority) ? { priority: flags.priority } : {}),
    ...(lang === 'uk' || lang === 'en' ? { language: lang } : {}),
  };
}

async function ask(client: Client, person: ChatPerson, text: string, options: SendOptions): Promise<MessageReply> {
  try {
    return await sendMessage(client, person, text, options);
  } catch (err) {
    if (err instanceof ChatInputError) throw new CliError(err.message, EXIT.badInput);
    if (err instanceof WorkflowUpdateFailedError) {
      const cause = err.cause instanceof ApplicationFailure ? err.cause : undefined;
      const type = cause?.type;
      const exit = type === 'UnknownBuyer' || type === 'UnknownConsignor' || type === 'InvalidInput' ? EXIT.badInput : EXIT.crewFailed;
      throw new CliError(`message not answered${type ? ` [${type}]` : ''}: ${cause?.message ?? err.message}`, exit);
    }
    throw err;
  }
}

function printReply(reply: MessageReply, json: boolean, config: Config) {
  if (json) {
    console.log(JSON.stringify({ ...reply, webUi: uiLink(config, reply.sessionId) }));
    return;
  }
  const tags = [reply.agent, reply.intent, reply.orderId ? `order ${reply.orderId}` : undefined, reply.complaintRef, reply.usedFallback ? 'template' : undefined]
    .filter((t): t is string => t !== undefined);
  console.log(`GREENFOOD (${tags.join(' · ')}):\n${reply.answer}\n`);
}

async function interactive(client: Client, person: ChatPerson, options: SendOptions, flags: CommonFlags, config: Config) {
  const tty = process.stdin.isTTY === true;
  const rl = createInterface({ input: process.stdin, output: process.stdout, terminal: tty });
  if (tty && !flags.json) {
    console.log(`Chat as ${person.role} ${person.personId} (session ${conversationWorkflowId(person.role, person.personId)}). Empty line or /exit ends.`);
  }
  try {
    if (tty) rl.setPrompt('> ');
    if (tty) rl.prompt();
    for await (const line of rl) {
      const text = line.trim();
      if (text === '/exit' || text === '/quit' || (tty && text === '')) break;
      if (text !== '') {
        try {
          printReply(await ask(client, person, text, options), flags.json, config);
        } catch (err) {
          // One bad message (too long, say) must not end an interactive chat; an unknown person does.
          if (!(err instanceof CliError) || err.exitCode !== EXIT.crewFailed) throw err;
          console.error(`error: ${err.message}`);
        }
      }
      if (tty) rl.prompt();
    }
  } finally {
    rl.close();
  }
}

async function showTranscript(client: Client, person: ChatPerson, json: boolean) {
  const transcript = await readTranscript(client, person);
  if (json) return console.log(JSON.stringify(transcript ?? null));
  if (!transcript) return console.log(`No running session for ${person.role} ${person.personId}.`);
  console.log(`${transcript.sessionId}: ${transcript.messages} message(s) in ${transcript.runs} run(s)`);
  for (const e of transcript.entries) console.log(`#${e.turn} ${e.at}\n  > ${e.question}\n  < [${e.intent}] ${e.answer}`);
}

export const chatArea: CliArea = {
  usage: [
    'chat --as buyer:<code>|consignor:<code> "<message>" [--lang=uk|en] [--priority vip|regular|background] [--json]',
    'chat --as buyer:<code>   (no message: reads messages line by line from stdin)',
    'chat --as buyer:<code> --transcript [--json]',
  ],
  async run(command, args, flags, config) {
    const positionals = [command, ...args].filter((p): p is string => p !== undefined);
    const { person, words } = personAndWords(positionals, flags);
    const options = sendOptions(flags);
    const client = await connect(config);
    try {
      if (flags.extra.transcript === true) return await showTranscript(client, person, flags.json);
      if (words.length === 0) return await interactive(client, person, options, flags, config);
      printReply(await ask(client, person, words.join(' '), options), flags.json, config);
    } finally {
      await client.connection.close();
    }
  },
};
