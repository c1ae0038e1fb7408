import { BadRequestException, Controller, Get, Inject, Param, Query } from '@nestjs/common';
import { PROTOCOL_BOUNDS, type ChatMessage } from '@duplex/protocol';
import { MESSAGE_STORE, type MessageStore } from '../storage/message-store.js';
import { RoomRegistry } from './room-registry.js';

const DECIMAL = /^[1-9][0-9]{0,9}$/;

function positiveInteger(name: string, value: unknown): number | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'string' || !DECIMAL.test(value) || Number(value) > 2 ** 31 - 1) {
    throw new BadRequestException(`${name} must be a decimal integer >= 1`);
  }
  return Number(value);
}

@Controller('api/rooms')
export class RoomsController {
  constructor(
    private readonly rooms: RoomRegistry,
    @Inject(MESSAGE_STORE) private readonly store: MessageStore,
  ) {}

  /** Every room with a member or a stored message. */
  @Get()
  async list(): Promise<{ room: string; online: number; lastSeq: number }[]> {
    const occupancy = this.rooms.occupancy();
    const summaries = new Map(
      (await this.store.rooms()).map((summary) => [summary.room, summary.lastSeq]),
    );
    const names = new Set([...occupancy.keys(), ...summaries.keys()]);
    return [...names].sort().map((room) => ({
      room,
      online: occupancy.get(room) ?? 0,
      lastSeq: summaries.get(room) ?? 0,
    }));
  }

  @Get(':room/messages')
  messages(
    @Param('room') room: string,
    @Query('before') beforeParam: unknown,
    @Query('limit') limitParam: unknown,
  ): Promise<ChatMessage[]> {
    if (!PROTOCOL_BOUNDS.roomPattern.test(room)) throw new BadRequestException('invalid room name');
    const before = positiveInteger('before', beforeParam);
    const limit = Math.min(
      positiveInteger('limit', limitParam) ?? PROTOCOL_BOUNDS.historyPageSize,
      PROTOCOL_BOUNDS.httpHistoryMaxLimit,
    );
    return this.store.page(room, { ...(before !== undefined && { before }), limit });
  }
}
