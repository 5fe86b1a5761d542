FROM scratch
ADD rootfs.tar /
CMD ["bash"]
