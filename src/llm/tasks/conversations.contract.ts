/** Input and output of the conversation's LLM tasks (plain types, importable from workflows). */
import type { AnsweringAgent, Intent, PersonRole } from '../../conversations/contract';

export interface ConversationIntentInput {
  role: PersonRole;
  message: string;
  /** Code's candidates (from keyword rules); the answer must be one of them. */
  candidates: Intent[];
  /** The previous intent from short-term memory, when there is one. */
  previousIntent?: Intent;
}
export interface ConversationIntentOutput {
  intent: Intent;
}

export interface ConversationAnswerInput {
  role: PersonRole;
  personName: string;
  language: 'uk' | 'en';
  intent: Intent;
  agent: AnsweringAgent;
  question: string;
  /** Strings the answer must quote exactly (order id, tracking numbers, balance, complaint number). */
  keyFacts: string[];
  /** Everything code read from Postgres for this question, one fact per line. */
  facts: string[];
  /** Recent turns from short-term memory, oldest first. */
  recentTurns: { role: 'user' | 'assistant'; text: string }[];
  nextStep: string;
}
export interface ConversationAnswerOutput {
  answer: string;
}

export interface ConversationLlmTasks {
  conversation_intent: { input: ConversationIntentInput; output: ConversationIntentOutput };
  conversation_answer: { input: ConversationAnswerInput; output: ConversationAnswerOutput };
}
