import type { Broker, InstanceMessage, PresenceChange, RoomEnvelope } from './broker.js';

/** One instance and no other: there is nobody to send to and nothing to receive. */
export class InProcessBroker implements Broker {
  publishRoom(_envelope: RoomEnvelope): void {}
  follow(_room: string): null {
    return null;
  }
  unfollow(_room: string): void {}
  onRoomFrame(_handler: (envelope: RoomEnvelope) => void): void {}
  onPresenceChange(_handler: (room: string, change: PresenceChange) => void): void {}
  sendToInstance(_instanceId: string, _message: InstanceMessage): void {}
  followUser(_userId: string): Promise<void> {
    return Promise.resolve();
  }
  unfollowUser(_userId: string): void {}
  sendToUser(_userId: string, _message: InstanceMessage): void {}
  onInstanceMessage(_handler: (message: InstanceMessage) => void): void {}
}
