// Field shapes the api's schemas share (not part of the api itself).
import { z } from 'zod';

export const Id = z.string().min(1).max(200);
export const Text = (max = 2000) => z.string().max(max);
export const Count = z.number().int().nonnegative();
