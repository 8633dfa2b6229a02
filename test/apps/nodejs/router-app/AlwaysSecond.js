// A router that always picks its second child.
function AlwaysSecond() {}
AlwaysSecond.prototype.route = function route() {
  return 1;
};
module.exports = AlwaysSecond;
