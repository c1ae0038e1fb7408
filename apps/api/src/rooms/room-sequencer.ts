import { Injectable } from '@nestjs/common';

/**
 * Runs the work of one room one task at a time, so joins and stored messages interleave in a
 * single order: a joiner's history ends exactly where its live `chat.message` frames begin.
 */
@Injectable()
export class RoomSequencer {
  private readonly tails = new Map<string, Promise<unknown>>();

  run<T>(room: string, task: () => Promise<T>): Promise<T> {
    const previous = this.tails.get(room) ?? Promise.resolve();
    const result = previous.then(task, task);
    const tail = result.then(
      () => undefined,
      () => undefined,
    );
    this.tails.set(room, tail);
    void tail.then(() => {
      if (this.tails.get(room) === tail) this.tails.delete(room);
    });
    return result;
  }
}
