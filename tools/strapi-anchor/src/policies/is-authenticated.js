// The tutorial's policy: a request passes when a user is signed in.
module.exports = (policyContext) => Boolean(policyContext.state.user);
