// Lessons, guided mode and the flowchart.
import { z } from 'zod';
import { Id, Count } from './fields.js';
import { Rung, Strategy } from './vocabulary.js';

export const LessonSummary = z.object({
  id: Id,
  title: z.string(),
  order: z.number(),
  summary: z.string(),
  pageCount: Count,
  source: z.enum(['shipped', 'user']),
  /** Set when the file could not be read; the player shows it as an error card. */
  error: z.string().optional(),
});
export const Lesson = LessonSummary.extend({ pages: z.array(z.object({ title: z.string(), markdown: z.string() })) });
export const DataSize = z.enum(['small', 'medium', 'large']);
export const Similarity = z.enum(['very-similar', 'somewhat-similar', 'very-different']);
export const Compute = z.enum(['limited', 'ample']);
export const FlowchartAnalysis = z.object({
  imageCount: Count,
  classCount: Count,
  minPerClass: Count,
  maxPerClass: Count,
  similarity: Similarity,
  /** Accuracy of a k-NN on the frozen backbone's embeddings, and chance level, to explain it. */
  probeAccuracy: z.number(),
  chanceAccuracy: z.number(),
  compute: Compute,
  rung: Rung,
  imagesPerSec: z.number(),
  explanation: z.array(z.string()),
});
export const GuidedState = z.object({
  step: z.number().int().min(0).max(20),
  lessonId: z.string().nullable(),
  pairId: z.string().nullable(),
  recommendation: Strategy.nullable(),
  reflection: z.string().nullable(),
});


export type Similarity = z.output<typeof Similarity>;
export type Compute = z.output<typeof Compute>;
export type DataSize = z.output<typeof DataSize>;
export type Lesson = z.output<typeof Lesson>;
export type LessonSummary = z.output<typeof LessonSummary>;
export type FlowchartAnalysis = z.output<typeof FlowchartAnalysis>;
export type GuidedState = z.output<typeof GuidedState>;
