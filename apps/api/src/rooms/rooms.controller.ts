import {
  BadRequestException,
  Controller,
  Get,
  Inject,
  Param,
  Query,
  UseGuards,
} from '@nestjs/common';
import { PROTOCOL_BOUNDS, type ChatMessage, type MembersPage } from '@duplex/protocol';
import { ReadLimitGuard } from '../http/read-limit.guard.js';
import { PRESENCE_STORE, type PresenceStore } from '../presence/presence-store.js';
import { MESSAGE_STORE, type MessageStore } from '../storage/message-store.js';

/** `seq` is a PostgreSQL `integer`: no stored `seq` is larger, and no larger value reaches SQL. */
const MAX_SEQ = 2 ** 31 - 1;
const DIGITS = /^[0-9]+$/;

/**
 * A query parameter that must be a decimal integer ≥ `min`, of any size: a value too large for
 * a `number` to hold exactly is `Infinity`, which the callers clamp.
 */
function decimalParam(name: string, value: unknown, min: number): number | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'string' || !DIGITS.test(value)) {
    throw new BadRequestException(`${name} must be a decimal integer >= ${min}`);
  }
  const significant = value.replace(/^0+(?=[0-9])/, '');
  const number = significant.length > 15 ? Infinity : Number(significant);
  if (number < min) throw new BadRequestException(`${name} must be a decimal integer >= ${min}`);
  return number;
}

function roomParam(room: string): string {
  if (!PROTOCOL_BOUNDS.roomPattern.test(room)) {
    throw new BadRequestException('room must match ^[a-z0-9][a-z0-9-]{0,39}$');
  }
  return room;
}

@Controller('api/rooms')
@UseGuards(ReadLimitGuard)
export class RoomsController {
  constructor(
    @Inject(PRESENCE_STORE) private readonly presence: PresenceStore,
    @Inject(MESSAGE_STORE) private readonly store: MessageStore,
  ) {}

  /** Every room with a member or a stored message. */
  @Get()
  async list(): Promise<{ room: string; online: number; lastSeq: number }[]> {
    const [occupancy, summaries] = await Promise.all([
      this.presence.occupancy(),
      this.store
        .rooms()
        .then((rooms) => new Map(rooms.map((summary) => [summary.room, summary.lastSeq]))),
    ]);
    const names = new Set([...occupancy.keys(), ...summaries.keys()]);
    return [...names].sort().map((room) => ({
      room,
      online: occupancy.get(room) ?? 0,
      lastSeq: summaries.get(room) ?? 0,
    }));
  }

  /**
   * A page of the room's history, increasing `seq`: the newest `limit` before `before` (the
   * newest without it), or with `after` the oldest `limit` after it.
   */
  @Get(':room/messages')
  async messages(
    @Param('room') roomValue: string,
    @Query('before') beforeParam: unknown,
    @Query('after') afterParam: unknown,
    @Query('limit') limitParam: unknown,
  ): Promise<ChatMessage[]> {
    const room = roomParam(roomValue);
    const before = decimalParam('before', beforeParam, 1);
    const after = decimalParam('after', afterParam, 0);
    const limit = Math.min(
      decimalParam('limit', limitParam, 1) ?? PROTOCOL_BOUNDS.historyPageSize,
      PROTOCOL_BOUNDS.httpHistoryMaxLimit,
    );
    if (before !== undefined && after !== undefined) {
      throw new BadRequestException('before and after exclude each other');
    }
    if (after !== undefined) {
      if (after >= MAX_SEQ) return [];
      return this.store.page(room, { after, limit });
    }
    // A `before` past every possible seq asks for the newest, as no `before` does.
    return this.store.page(room, {
      ...(before !== undefined && before <= MAX_SEQ && { before }),
      limit,
    });
  }

  /** A page of the room's members, ordered by `userId`: those after `after`. */
  @Get(':room/members')
  async members(
    @Param('room') roomValue: string,
    @Query('after') afterParam: unknown,
    @Query('limit') limitParam: unknown,
  ): Promise<MembersPage> {
    const room = roomParam(roomValue);
    if (afterParam !== undefined && typeof afterParam !== 'string') {
      throw new BadRequestException('after must be a single userId');
    }
    const limit = Math.min(
      decimalParam('limit', limitParam, 1) ?? PROTOCOL_BOUNDS.membersPageSize,
      PROTOCOL_BOUNDS.membersPageMaxLimit,
    );
    return await this.presence.membersPage(room, afterParam, limit);
  }
}
