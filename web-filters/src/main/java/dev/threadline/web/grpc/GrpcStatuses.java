package dev.threadline.web.grpc;

import io.grpc.Status;

/** The HTTP status a gRPC status maps to, as {@code google.rpc.Code} defines it, for lines and their level rules. */
final class GrpcStatuses {

  private static final int[] HTTP = {
      200, // OK
      499, // CANCELLED
      500, // UNKNOWN
      400, // INVALID_ARGUMENT
      504, // DEADLINE_EXCEEDED
      404, // NOT_FOUND
      409, // ALREADY_EXISTS
      403, // PERMISSION_DENIED
      429, // RESOURCE_EXHAUSTED
      400, // FAILED_PRECONDITION
      409, // ABORTED
      400, // OUT_OF_RANGE
      501, // UNIMPLEMENTED
      500, // INTERNAL
      503, // UNAVAILABLE
      500, // DATA_LOSS
      401, // UNAUTHENTICATED
  };

  private GrpcStatuses() {
  }

  static int http(Status.Code code) {
    int value = code.value();
    return value >= 0 && value < HTTP.length ? HTTP[value] : 500;
  }
}
