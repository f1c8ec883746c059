import { defineQuery, defineUpdate } from '@temporalio/workflow';
import type { PriorityTier } from '../shared/priority';

export const CONVERSATION_WORKFLOW = 'conversation';
export const CONVERSATION_CREW = 'conversation';

export const PERSON_ROLES = ['buyer', 'consignor'] as const;
export type PersonRole = (typeof PERSON_ROLES)[number];

/** One session workflow per person: `conversation-buyer-B001`, `conversation-consignor-C007`. */
export function conversationWorkflowId(role: PersonRole, personId: string): string {
  return `conversation-${role}-${personId}`;
}

/** What a person may ask about; the Assistant picks one and routes it to a domain agent. */
export const INTENTS = ['order_status', 'delivery_status', 'balance', 'product_question', 'complaint', 'other'] as const;
export type Intent = (typeof INTENTS)[number];

/** Buyers have no consignment balance; everything else is open to both roles. */
export function intentsFor(role: PersonRole): Intent[] {
  return INTENTS.filter((i) => role === 'consignor' || i !== 'balance');
}

export type AnsweringAgent = 'customer_care' | 'finance' | 'catalog' | 'assistant';

export const AGENT_FOR_INTENT: Record<Intent, AnsweringAgent> = {
  order_status: 'customer_care',
  delivery_status: 'customer_care',
  complaint: 'customer_care',
  balance: 'finance',
  product_question: 'catalog',
  other: 'assistant',
};

export const MESSAGE_MAX_CHARS = 2000;
export const DEFAULT_IDLE_TIMEOUT_MS = 30 * 60 * 1000;
/** The scaling plan's session TTL: memory of a dialog lives one hour after its last message. */
export const DEFAULT_MEMORY_TTL_SECONDS = 3600;
/** Each message adds ~15 history events; 100 keeps a run's history far below Temporal's limits. */
export const DEFAULT_MAX_MESSAGES_PER_RUN = 100;
/** Turns (a question or an answer each) kept in short-term memory. */
export const MEMORY_TURNS = 8;
/** Exchanges kept for the transcript query (display only; the model's memory is Redis). */
export const TRANSCRIPT_ENTRIES = 20;

export interface TranscriptEntry {
  turn: number;
  messageId: string;
  at: string;
  question: string;
  intent: Intent;
  agent: AnsweringAgent;
  answer: string;
  orderId?: string;
}

/** State one run hands to the next on continue-as-new. */
export interface CarriedSession {
  messages: number;
  runs: number;
  transcript: TranscriptEntry[];
  /** The LLM pool holding this dialog's context (sticky routing). */
  llmPool?: string;
}

export interface ConversationInput {
  role: PersonRole;
  /** Buyer code (B001) or consignor code (C007). */
  personId: string;
  language?: 'uk' | 'en';
  /** The session ends after this long without a message (30 min by default). */
  idleTimeoutMs?: number;
  /** How long short-term memory outlives the last message (1 h by default). */
  memoryTtlSeconds?: number;
  /** Continue-as-new after this many messages in one run. */
  maxMessagesPerRun?: number;
  priority?: PriorityTier;
  llmPool?: string;
  /** Set by the workflow itself when it continues as new. */
  carried?: CarriedSession;
}

export interface ChatMessage {
  text: string;
  /** Idempotency key of the message (also the Update id): a resend with the same id is answered once. */
  messageId: string;
}

export type OrderSource = 'message' | 'memory' | 'latest' | 'none';

export interface MessageReply {
  sessionId: string;
  messageId: string;
  /** Position of this message in the session, across continue-as-new. */
  turn: number;
  intent: Intent;
  intentSource: 'rules' | 'llm' | 'fallback';
  agent: AnsweringAgent;
  answer: string;
  /** The facts (from Postgres) the answer is grounded in. */
  facts: string[];
  orderId?: string;
  orderSource: OrderSource;
  complaintRef?: string;
  memory: { available: boolean; turnsRecalled: number };
  /** True when the answer is code's template because the LLM's text was unavailable or rejected. */
  usedFallback: boolean;
}

export interface ConversationTranscript {
  sessionId: string;
  role: PersonRole;
  personId: string;
  messages: number;
  runs: number;
  entries: TranscriptEntry[];
}

export interface ConversationResult {
  sessionId: string;
  endedBy: 'idle';
  messages: number;
  runs: number;
}

export const messageUpdate = defineUpdate<MessageReply, [ChatMessage]>('message');
export const transcriptQuery = defineQuery<ConversationTranscript>('transcript');

/** The Update validator: rejected messages never enter history. Shared with the client's edge check. */
export function messageProblem(message: ChatMessage | undefined): string | undefined {
  if (!message || typeof message.text !== 'string') return 'a message needs text';
  if (message.text.trim().length === 0) return 'the message is empty';
  if (message.text.length > MESSAGE_MAX_CHARS) return `the message is longer than ${MESSAGE_MAX_CHARS} characters`;
  if (typeof message.messageId !== 'string' || !/^[A-Za-z0-9_-]{1,64}$/.test(message.messageId)) {
    return 'messageId: letters, digits, "-" or "_", at most 64';
  }
  return undefined;
}
