/** The demo's protobuf schemas: three streams; version 2 adds `Click.referrer`. */

export const STREAMS = { clicks: 'demo.Click', orders: 'demo.Order', heartbeats: 'demo.Heartbeat', 'big-orders': 'demo.Order' } as const;
/** Streams the generator writes; 'big-orders' only exists through the ETL routing rule. */
export type ProducedStream = 'clicks' | 'orders' | 'heartbeats';
export type StreamName = keyof typeof STREAMS;

const common = `
syntax = "proto3";
package demo;
import "google/protobuf/timestamp.proto";

message Device { string os = 1; string model = 2; }
enum Kind { KIND_UNSPECIFIED = 0; VIEW = 1; TAP = 2; SCROLL = 3; }
message Item { string sku = 1; int32 qty = 2; }
message Order {
  int64 id = 1;
  string user = 2;
  repeated Item items = 3;
  double total = 4;
  google.protobuf.Timestamp at = 5;
}
message Heartbeat { string host = 1; google.protobuf.Timestamp at = 2; double load = 3; }
`;

const clickV1 = `
message Click {
  int64 id = 1;
  string user = 2;
  string page = 3;
  Device device = 4;
  repeated string tags = 5;
  map<string, string> attrs = 6;
  Kind kind = 7;
  google.protobuf.Timestamp at = 8;
}
`;

const clickV2 = clickV1.replace('google.protobuf.Timestamp at = 8;\n}', 'google.protobuf.Timestamp at = 8;\n  string referrer = 9;\n}');

export const EVENTS_PROTO_V1 = common + clickV1;
export const EVENTS_PROTO_V2 = common + clickV2;
