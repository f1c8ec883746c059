import { randomUUID } from 'node:crypto';
import {
  WithStartWorkflowOperation,
  WorkflowNotFoundError,
  WorkflowUpdateFailedError,
  type Client,
  type WorkflowHandle,
} from '@temporalio/client';
import { WorkflowIdConflictPolicy, WorkflowIdReusePolicy, type SearchAttributePair } from '@temporalio/common';
import { priorityKeyOf } from '../shared/priority';
import { CREWS_TASK_QUEUE, SearchAttr } from '../shared/temporal';
import type { conversation } from '../workflows/conversation';
import {
  CONVERSATION_CREW,
  CONVERSATION_WORKFLOW,
  conversationWorkflowId,
  messageProblem,
  messageUpdate,
  transcriptQuery,
  type ConversationInput,
  type ConversationTranscript,
  type MessageReply,
} from './contract';
import { ChatPersonSchema, describeIssues, SessionOptionsSchema, type ChatPerson, type SessionOptions } from './schema';

export class ChatInputError extends Error {
  override readonly name = 'ChatInputError';
}

export interface SendOptions extends SessionOptions {
  /** Idempotency key of the message; a resend with the same id gets the first answer. Random by default. */
  messageId?: string;
}

/**
 * Sends one message and waits for the answer. Update-with-start: the first message starts the
 * session workflow (`conversation-<role>-<personId>`); later ones join the running session
 * (conflict policy USE_EXISTING); after an idle end or a failure a message starts a fresh run
 * (reuse policy ALLOW_DUPLICATE). The message id is the Update id, so Temporal answers a resent
 * message once.
 */
export async function sendMessage(client: Client, person: ChatPerson, text: string, options: SendOptions = {}): Promise<MessageReply> {
  const { messageId = randomUUID(), ...session } = options;
  const who = ChatPersonSchema.safeParse(person);
  if (!who.success) throw new ChatInputError(`invalid person: ${describeIssues(who.error)}`);
  const opts = SessionOptionsSchema.safeParse(session);
  if (!opts.success) throw new ChatInputError(`invalid session options: ${describeIssues(opts.error)}`);
  const message = { text, messageId };
  const problem = messageProblem(message);
  if (problem) throw new ChatInputError(problem);

  const input: ConversationInput = { ...who.data, ...opts.data };
  // A session that ends (idle) in the instant a message reaches it aborts that message; the retry starts a new run.
  for (let attempt = 1; ; attempt++) {
    try {
      return await client.workflow.executeUpdateWithStart(messageUpdate, {
        args: [message],
        updateId: messageId,
        startWorkflowOperation: startOperation(input),
      });
    } catch (err) {
      const raced = !(err instanceof WorkflowUpdateFailedError) &&
        (err instanceof WorkflowNotFoundError || /aborted|already completed|closing/i.test((err as Error).message ?? ''));
      if (!raced || attempt >= 3) throw err;
    }
  }
}

function startOperation(input: ConversationInput): WithStartWorkflowOperation<typeof conversation> {
  const tier = input.priority ?? 'regular';
  const searchAttributes: SearchAttributePair[] = [
    { key: SearchAttr.Crew, value: CONVERSATION_CREW },
    { key: SearchAttr.PriorityTier, value: tier },
    ...(input.role === 'consignor' ? [{ key: SearchAttr.ConsignorId, value: input.personId }] : []),
  ];
  return new WithStartWorkflowOperation<typeof conversation>(CONVERSATION_WORKFLOW, {
    workflowId: conversationWorkflowId(input.role, input.personId),
    taskQueue: CREWS_TASK_QUEUE,
    args: [input],
    workflowIdConflictPolicy: WorkflowIdConflictPolicy.USE_EXISTING,
    workflowIdReusePolicy: WorkflowIdReusePolicy.ALLOW_DUPLICATE,
    priority: { priorityKey: priorityKeyOf(tier) },
    staticSummary: `Chat · ${input.role} ${input.personId}`,
    staticDetails: `Assistant session of ${input.role} ${input.personId}; memory TTL ${input.memoryTtlSeconds ?? 3600} s, idle end after ${Math.round((input.idleTimeoutMs ?? 1_800_000) / 1000)} s`,
    typedSearchAttributes: searchAttributes,
  });
}

export function conversationHandle(client: Client, person: ChatPerson): WorkflowHandle<typeof conversation> {
  return client.workflow.getHandle<typeof conversation>(conversationWorkflowId(person.role, person.personId));
}

/** The running session's recent exchanges (the query); undefined when no session is running. */
export async function readTranscript(client: Client, person: ChatPerson): Promise<ConversationTranscript | undefined> {
  const handle = conversationHandle(client, person);
  const description = await handle.describe().catch(() => undefined);
  if (description?.status.name !== 'RUNNING') return undefined;
  return handle.query(transcriptQuery);
}
