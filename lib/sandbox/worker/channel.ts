/**
 * The worker's end of its private channel to the relay. Sent as source text (see `source.ts`):
 * {@linkcode openChannel} refers to nothing outside its body and its parameters.
 *
 * @module
 */
import type { Intrinsics, Send } from "./types.ts";

/**
 * Listens on the private port and returns the function that posts to it. Call before user code
 * exists.
 *
 * The port must stay out of user code's reach: whoever holds it can post to the relay and
 * dispatch forged messages to this listener. So the port's and its events' prototype chains are
 * frozen here (Deno dispatches each message with `this.dispatchEvent(event)`, a prototype look-up
 * that a replaced `dispatchEvent` would turn into a copy of the port), messages are posted through
 * the captured `postMessage`, and a message is accepted only when it is a genuine, trusted event
 * whose `data` is its own data property (reading it runs no user code).
 *
 * Deno also builds each message's event with plain assignments (`this.data = ...`, `this[sym] =
 * ...`): a setter user code put on `Object.prototype` under one of those keys would be handed the
 * event, whose `target` is the port. So every key a genuine `MessageEvent` owns gets an accessor
 * on the frozen `MessageEvent.prototype` whose setter defines the own property: assignments stop
 * there and never reach `Object.prototype`.
 *
 * @param port The private port from the relay's init message.
 * @param caps Captured intrinsics.
 * @param receive Called with each accepted message's data (an object).
 */
export function openChannel(
  port: MessagePort,
  caps: Intrinsics,
  receive: (data: Record<string, unknown>) => void,
): Send {
  const { apply, freeze, getOwnPropertyDescriptor, postMessage } = caps;
  const isTrusted = getOwnPropertyDescriptor(Event.prototype, "isTrusted")?.get;
  const { defineProperty } = caps;
  const probe = new MessageEvent("message", { data: null, ports: [] });
  for (const key of Reflect.ownKeys(probe)) {
    if (key in MessageEvent.prototype) continue;
    defineProperty(MessageEvent.prototype, key, {
      configurable: false,
      enumerable: false,
      get: () => undefined,
      set(this: object, value: unknown) {
        defineProperty(this, key, { value, writable: true, enumerable: true, configurable: true });
      },
    });
  }
  for (const proto of [MessagePort.prototype, EventTarget.prototype, MessageEvent.prototype]) {
    freeze(proto);
  }
  freeze(Event.prototype);
  port.onmessage = (event: MessageEvent) => {
    if (!isTrusted || apply(isTrusted, event, []) !== true) return;
    const own = getOwnPropertyDescriptor(event, "data");
    const data = own && "value" in own ? own.value : undefined;
    if (data !== null && typeof data === "object") receive(data as Record<string, unknown>);
  };
  return (message) => {
    apply(postMessage, port, [message]);
  };
}
