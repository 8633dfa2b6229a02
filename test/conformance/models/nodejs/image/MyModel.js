// The walkthrough's model needs an image decoder (Pillow in Python); no JavaScript version (see the profile).
class MyModel {
  predict() {
    throw new Error('no image decoder in the NodeJS conformance models');
  }
}
module.exports = MyModel;
