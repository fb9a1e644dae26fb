// Imported first by every local entry point, before the AWS SDK loads: the SDK warns about Node 20 at
// every client construction, which buries the local stack's own output.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
